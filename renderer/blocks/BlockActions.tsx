/** The buttons at the right of a block header: split, share, detach, magnify, close. */
import { closeBlock, openInNewPane, splitBlock } from '../layout/commands';
import { withShortcut, type Platform } from '../layout/shortcuts';
import { dispatchLayout, requestFocus } from '../state/workspace';
import { detachBlock } from '../sessions/commands';
import {
  CloseIcon,
  DetachIcon,
  MagnifyIcon,
  OpenInNewPaneIcon,
  RestoreIcon,
  SplitDownIcon,
  SplitRightIcon,
} from './icons';

type Props = {
  blockId: string;
  /** Whether the block shows a session that another pane could show too. */
  hasSession: boolean;
  magnified: boolean;
  /** Whether the tab has other blocks (magnify means nothing alone). */
  shared: boolean;
  platform: Platform;
};

export function BlockActions({ blockId, hasSession, magnified, shared, platform }: Props) {
  return (
    <span className="block-actions">
      <button
        type="button"
        className="icon-button"
        aria-label="Split right"
        title={withShortcut('Split right', 'splitRight', platform)}
        onClick={() => void splitBlock(blockId, 'right')}
      >
        <SplitRightIcon />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Split down"
        title={withShortcut('Split down', 'splitDown', platform)}
        onClick={() => void splitBlock(blockId, 'down')}
      >
        <SplitDownIcon />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Open in new pane"
        title={withShortcut('Open this session in a new pane', 'openInNewPane', platform)}
        disabled={!hasSession}
        onClick={() => void openInNewPane(blockId)}
      >
        <OpenInNewPaneIcon />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Detach session"
        title="Detach: the block shows no session; the session keeps running"
        disabled={!hasSession}
        onClick={() => void detachBlock(blockId)}
      >
        <DetachIcon />
      </button>
      {shared ? (
        <button
          type="button"
          className="icon-button"
          aria-label={magnified ? 'Restore' : 'Magnify'}
          aria-pressed={magnified}
          title={withShortcut(magnified ? 'Restore' : 'Magnify', 'toggleMagnify', platform)}
          onClick={() => {
            dispatchLayout({ type: 'toggleMagnify', blockId });
            requestFocus();
          }}
        >
          {magnified ? <RestoreIcon /> : <MagnifyIcon />}
        </button>
      ) : null}
      <button
        type="button"
        className="icon-button"
        aria-label="Close block"
        title={withShortcut('Close', 'closeBlock', platform)}
        onClick={() => void closeBlock(blockId)}
      >
        <CloseIcon />
      </button>
    </span>
  );
}
