/**
 * Baseline (b): the benchmark's bytes written straight into a bare xterm.js
 * in a fresh page of the same browser, with the same options and renderer as
 * Tether's terminal, and the same ≤ 1 MiB in flight (xterm discards writes
 * past ~50 MB unparsed, so any real producer needs flow control).
 * openBareTerminal is the shared setup: the SSH baseline feeds the same
 * terminal from a live stream (openssh-baseline.ts).
 */
import type { Browser, Page } from '@playwright/test';
import { join } from 'node:path';
import { root } from '../e2e/fixtures/host';
import { LINE_SOURCE } from './content';

const LIBRARIES = [
  '@xterm/xterm/lib/xterm.js',
  '@xterm/addon-fit/lib/addon-fit.js',
  '@xterm/addon-webgl/lib/addon-webgl.js',
];

/** The part of xterm.js's Terminal the baselines use. */
type BareTerminal = { write(data: Uint8Array, callback: () => void): void };

declare global {
  interface Window {
    __bareXterm?: BareTerminal;
  }
}

export type BareTerminalSetup = {
  options: Record<string, unknown>;
  webgl: boolean;
  viewport: { width: number; height: number };
  /** A fixed size (Tether's terminal's); without one the terminal fills the page. */
  size?: { cols: number; rows: number };
};

/** A fresh page holding one open xterm.js terminal as `window.__bareXterm`; the caller closes it. */
export async function openBareTerminal(browser: Browser, setup: BareTerminalSetup): Promise<Page> {
  const page = await browser.newPage({ viewport: setup.viewport });
  try {
    await page.setContent(
      '<html><body style="margin:0"><div id="t" style="width:100vw;height:100vh"></div></body></html>',
    );
    await page.addStyleTag({ path: join(root, 'node_modules/@xterm/xterm/css/xterm.css') });
    for (const lib of LIBRARIES) await page.addScriptTag({ path: join(root, 'node_modules', lib) });
    await page.evaluate(({ options, webgl, size }) => {
      type Term = BareTerminal & { open(el: HTMLElement): void; loadAddon(addon: unknown): void };
      // xterm's UMD build puts Terminal on the global; addons put a namespace there.
      type Ctor = new (o?: unknown) => unknown;
      const g = window as unknown as { Terminal: Ctor } & Record<string, Record<string, Ctor>>;
      const term = new g.Terminal({ ...options, ...size }) as Term;
      const fit = new g.FitAddon!.FitAddon!() as { fit(): void };
      term.loadAddon(fit);
      term.open(document.getElementById('t')!);
      if (webgl) term.loadAddon(new g.WebglAddon!.WebglAddon!());
      if (!size) fit.fit();
      window.__bareXterm = term;
    }, setup);
    return page;
  } catch (error) {
    await page.close();
    throw error;
  }
}

export type BareRun = BareTerminalSetup & { lines: number };

/** Milliseconds to write and parse every line. */
export async function measureBareXterm(browser: Browser, run: BareRun): Promise<number> {
  const page = await openBareTerminal(browser, run);
  try {
    return await page.evaluate(
      async ({ lineSource, lines }) => {
        const term = window.__bareXterm!;
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
      { lineSource: LINE_SOURCE, lines: run.lines },
    );
  } finally {
    await page.close();
  }
}
