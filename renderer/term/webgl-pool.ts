/**
 * WebGL contexts are scarce: Chromium keeps about 16 per page and silently
 * drops the oldest beyond that. Visible terminals claim one from this pool
 * and give it back when hidden; a terminal that gets none paints with the DOM
 * renderer, so a layout with any number of blocks still works.
 */

/** Below Chromium's limit, leaving room for anything else on the page. */
export const MAX_WEBGL_CONTEXTS = 12;

let inUse = 0;

/** A claim on one context, or null when all are taken. Calling the result gives it back. */
export function claimWebglContext(): (() => void) | null {
  if (inUse >= MAX_WEBGL_CONTEXTS) return null;
  inUse++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    inUse--;
  };
}

/** Contexts claimed right now. */
export function webglContextsInUse(): number {
  return inUse;
}
