/**
 * Measurements in a live Tether page: (a) `cat` of the benchmark file through
 * the whole pipeline, keystroke → answer latency during a flood, and the host
 * process's memory. Reads the terminal through the renderer's test seam.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../e2e/fixtures/host';
// Brings the renderer's `window.__tetherTest` seam type.
import type {} from '../renderer/term/test-seam';

declare global {
  interface Window {
    __bench?: { osc: number[] };
  }
}

/** A process's resident set (VmRSS) in kB. */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
}

/**
 * Samples a process's RSS every 50 ms; stop() returns the peak's growth in MB
 * over `fromKb` (by default the RSS at the call).
 */
export function rssGrowth(pid: number, fromKb = rssKb(pid)): { stop(): number } {
  let peak = fromKb;
  const timer = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 50);
  return {
    stop() {
      clearInterval(timer);
      return (Math.max(peak, rssKb(pid)) - fromKb) / 1024;
    },
  };
}

/** Bytes parsed by a block's terminal (the page's first when no block is named). */
export const parsed = (page: Page, blockId?: string) =>
  page.evaluate((id) => {
    const terms = window.__tetherTest!.terms;
    return (id === undefined ? Object.values(terms)[0] : terms[id])!.bytesParsed();
  }, blockId);

export async function typeLine(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').first().focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/**
 * Milliseconds from Enter on `cat file` until xterm has parsed `streamBytes`
 * more bytes, in the given block (else the page's first terminal). With
 * `lastLine`, until the block's screen shows that line instead: a backend that
 * skips what a lagging page missed and repaints (tmux) never delivers every byte.
 */
export async function measureCat(
  page: Page,
  file: string,
  streamBytes: number,
  blockId?: string,
  lastLine?: string,
): Promise<number> {
  const before = await parsed(page, blockId);
  // Type first: the clock starts at Enter, as the user's wait does.
  const textarea =
    blockId === undefined
      ? page.locator('.xterm-helper-textarea').first()
      : page.locator(`[data-block-id="${blockId}"] .xterm-helper-textarea`);
  await textarea.focus();
  if (lastLine !== undefined) {
    // The line may still be on screen from the round before.
    await page.keyboard.type('clear');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      ({ id, line }) => {
        const terms = window.__tetherTest!.terms;
        return !(id === undefined ? Object.values(terms)[0] : terms[id])!.screen().includes(line);
      },
      { id: blockId, line: lastLine },
    );
  }
  await page.keyboard.type(`clear; cat ${file}`);
  const started = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ({ id, target, line }) => {
      const terms = window.__tetherTest!.terms;
      const term = (id === undefined ? Object.values(terms)[0] : terms[id])!;
      return line === undefined ? term.bytesParsed() >= target : term.screen().includes(line);
    },
    { id: blockId, target: before + streamBytes, line: lastLine },
    { polling: 10, timeout: 600_000 },
  );
  return performance.now() - started;
}

/**
 * Keystroke → answer while `flood-echo.mjs` floods the terminal: each key is
 * answered with an OSC 7777 marker queued behind the flood.
 */
export async function measureEchoDuringFlood(page: Page, samples: number): Promise<number[]> {
  await page.evaluate(() => {
    window.__bench = { osc: [] };
    Object.values(window.__tetherTest!.terms)[0]!.onOsc(7777, () =>
      window.__bench!.osc.push(performance.now()),
    );
  });
  await typeLine(page, `clear; node ${join(root, 'bench', 'flood-echo.mjs')}`);
  await page.waitForTimeout(1500);
  const echoes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const seen = await page.evaluate(() => window.__bench!.osc.length);
    const sent = await page.evaluate(() => performance.now());
    await page.keyboard.press('x');
    const at = await page.waitForFunction((n) => window.__bench!.osc[n], seen, {
      polling: 'raf',
      timeout: 30_000,
    });
    echoes.push(Number(await at.jsonValue()) - sent);
    await page.waitForTimeout(100);
  }
  return echoes;
}

/** Ctrl-C during the flood, then a command: milliseconds until its output shows. */
export async function measureInterrupt(page: Page): Promise<number> {
  const interrupted = performance.now();
  await page.keyboard.press('Control+C');
  await typeLine(page, 'echo ctrl-c-$((6*7))');
  await page.waitForFunction(
    () => /^ctrl-c-42$/m.test(Object.values(window.__tetherTest!.terms)[0]!.screen()),
    undefined,
    { polling: 10, timeout: 60_000 },
  );
  return performance.now() - interrupted;
}
