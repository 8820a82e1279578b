/**
 * A popup hanging from an element in a block's header or the tab bar (the
 * session and connection pickers): placed below it, flipped and shifted to
 * stay on screen, as tall as the room allows. A click outside closes it; the
 * click decides where the keyboard goes, unless it lands on nothing that takes
 * it, and then the terminal gets it back (`onClose(true)`). A click on the
 * anchor is left to the anchor (it toggles), and Escape to the popup's owner.
 */
import {
  autoUpdate,
  flip,
  offset,
  shift,
  size,
  useDismiss,
  useFloating,
  useInteractions,
} from '@floating-ui/react';
import { useState } from 'react';

/** The shortest a popup gets when the window has little room. */
const MIN_HEIGHT = 160;

export function useAnchoredPopup(anchor: HTMLElement, onClose: (refocus: boolean) => void) {
  const [floating, setFloating] = useState<HTMLElement | null>(null);
  const { floatingStyles, context } = useFloating({
    open: true,
    onOpenChange: (open) => {
      if (open) return;
      onClose(false);
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (!active || active === document.body) onClose(true);
      });
    },
    elements: { reference: anchor, floating },
    placement: 'bottom-start',
    middleware: [
      offset(4),
      flip({ padding: 8 }),
      shift({ padding: 8 }),
      size({
        padding: 8,
        apply({ availableHeight, elements }) {
          elements.floating.style.maxHeight = `${Math.max(MIN_HEIGHT, availableHeight)}px`;
        },
      }),
    ],
    whileElementsMounted: autoUpdate,
  });
  const dismiss = useDismiss(context, {
    escapeKey: false,
    outsidePress: (event) => !(event.target instanceof Node && anchor.contains(event.target)),
  });
  const { getFloatingProps } = useInteractions([dismiss]);
  /** `floating`: the popup's element once it is in the page (then it can take focus). */
  return { floating, setFloating, floatingStyles, getFloatingProps };
}
