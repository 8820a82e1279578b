/** A connection's link state as a coloured dot, named for screen readers unless decorative. */
import type { LinkState } from '../../preload/contract';
import { linkLabel, linkTone } from './link-state';

type Props = {
  state: LinkState;
  /** Inside an element that already says the state. */
  decorative?: boolean;
};

export function LinkDot({ state, decorative = false }: Props) {
  const className = `status-dot link-dot link-${linkTone(state)}`;
  if (decorative) return <span className={className} aria-hidden="true" />;
  return <span className={className} role="img" aria-label={`Link: ${linkLabel(state)}`} />;
}
