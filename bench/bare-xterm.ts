/**
 * Baseline (b): the benchmark's bytes written straight into a bare xterm.js
 * in a fresh page of the same browser, with the same options and renderer as
 * Tether's terminal, and the same ≤ 1 MiB in flight (xterm discards writes
 * past ~50 MB unparsed, so any real producer needs flow control).
 */
import type { Browser } from '@playwright/test';
import { join } from 'node:path';
import { root } from '../e2e/fixtures/host';
import { LINE_SOURCE } from './content';

const LIBRARIES = [
  '@xterm/xterm/lib/xterm.js',
  '@xterm/addon-fit/lib/addon-fit.js',
  '@xterm/addon-webgl/lib/addon-webgl.js',
];

export type BareRun = {
  lines: number;
  options: Record<string, unknown>;
  webgl: boolean;
  viewport: { width: number; height: number };
};

/** Milliseconds to write and parse every line. */
export async function measureBareXterm(browser: Browser, run: BareRun): Promise<number> {
  const page = await browser.newPage({ viewport: run.viewport });
  try {
    await page.setContent(
      '<html><body style="margin:0"><div id="t" style="width:100vw;height:100vh"></div></body></html>',
    );
    await page.addStyleTag({ path: join(root, 'node_modules/@xterm/xterm/css/xterm.css') });
    for (const lib of LIBRARIES) await page.addScriptTag({ path: join(root, 'node_modules', lib) });
    return await page.evaluate(
      async ({ lineSource, lines, options, webgl }) => {
        type Term = {
          open(el: HTMLElement): void;
          loadAddon(addon: unknown): void;
          write(data: Uint8Array, callback: () => void): void;
        };
        // xterm's UMD build puts Terminal on the global; addons put a namespace there.
        type Ctor = new (o?: unknown) => unknown;
        const g = window as unknown as { Terminal: Ctor } & Record<string, Record<string, Ctor>>;
        const term = new g.Terminal(options) as Term;
        const fit = new g.FitAddon!.FitAddon!() as { fit(): void };
        term.loadAddon(fit);
        term.open(document.getElementById('t')!);
        if (webgl) term.loadAddon(new g.WebglAddon!.WebglAddon!());
        fit.fit();
        // The same bytes the pty would deliver: the tty turns \n into \r\n.
        const makeLine = (0, eval)(lineSource) as (i: number) => string;
        const encoder = new TextEncoder();
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < lines; i += 2048) {
          let text = '';
          for (let k = i; k < Math.min(lines, i + 2048); k++) {
            text += makeLine(k).replace('\n', '\r\n');
          }
          chunks.push(encoder.encode(text));
        }
        const start = performance.now();
        let inFlight = 0;
        let waiting: (() => void) | null = null;
        for (const chunk of chunks) {
          while (inFlight > 1 << 20) await new Promise<void>((r) => (waiting = r));
          inFlight += chunk.byteLength;
          term.write(chunk, () => {
            inFlight -= chunk.byteLength;
            const wake = waiting;
            waiting = null;
            wake?.();
          });
        }
        while (inFlight > 0) await new Promise<void>((r) => (waiting = r));
        return performance.now() - start;
      },
      { lineSource: LINE_SOURCE, ...run },
    );
  } finally {
    await page.close();
  }
}
