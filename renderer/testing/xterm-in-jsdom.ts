/**
 * What xterm asks of a browser and jsdom lacks, so a real TermWrap runs in
 * renderer tests (on xterm's DOM renderer: no canvas). Import it before
 * anything that imports xterm, which reaches for a canvas as its modules
 * load. Tests only.
 */
window.matchMedia ??= (query: string) =>
  ({
    matches: false,
    media: query,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
  }) as unknown as MediaQueryList;

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

HTMLCanvasElement.prototype.getContext = () => null;

export {};
