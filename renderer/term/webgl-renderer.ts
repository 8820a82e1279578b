/**
 * A terminal's WebGL renderer, loaded only while the terminal is on screen:
 * browsers allow few WebGL contexts, so hidden terminals hand theirs back and
 * xterm's DOM renderer takes over. A lost context falls back the same way.
 */
import { WebglAddon } from '@xterm/addon-webgl';
import type { Terminal } from '@xterm/xterm';
import { hasHardwareWebgl } from './gpu';
import { claimWebglContext } from './webgl-pool';

export class WebglRenderer {
  private webgl: { addon: WebglAddon; release: () => void } | null = null;

  constructor(private readonly term: Terminal) {}

  /** Which renderer paints the terminal now. */
  get kind(): 'webgl' | 'dom' {
    return this.webgl ? 'webgl' : 'dom';
  }

  load(): void {
    if (this.webgl || !hasHardwareWebgl()) return;
    const release = claimWebglContext();
    if (!release) return;
    let addon: WebglAddon | undefined;
    try {
      addon = new WebglAddon();
      const loaded = addon;
      // Disposing the addon hands rendering back to xterm's DOM renderer.
      loaded.onContextLoss(() => this.unload());
      this.term.loadAddon(loaded);
      this.webgl = { addon: loaded, release };
    } catch (error) {
      console.warn('tether: WebGL renderer unavailable, using the DOM renderer', error);
      release();
      try {
        addon?.dispose();
      } catch {
        // Half-initialised; nothing more to release.
      }
    }
  }

  unload(): void {
    const webgl = this.webgl;
    if (!webgl) return;
    this.webgl = null;
    webgl.release();
    try {
      webgl.addon.dispose();
    } catch (error) {
      console.warn('tether: releasing the WebGL renderer failed', error);
    }
  }
}
