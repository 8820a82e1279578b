/**
 * The soak's hands and eyes in the page (bench/soak.ts): typing into a block
 * and reading it through the renderer's test seam.
 */
import type { Page } from '@playwright/test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TermView } from './soak-check';
// Brings the renderer's `window.__tetherTest` seam type.
import type {} from '../renderer/term/test-seam';

/** Keys into a block as its keyboard would send them, at once. */
export function typeInto(page: Page, blockId: string, keys: string): Promise<void> {
  return page.evaluate(({ id, keys }) => window.__tetherTest!.terms[id]!.typeKeys(keys), {
    id: blockId,
    keys,
  });
}

/** Waits until each block's screen shows its text; false if one did not in time. */
export async function screensShow(page: Page, texts: Record<string, string>, ms: number) {
  try {
    await page.waitForFunction(
      (texts) =>
        Object.entries(texts).every(([id, text]) =>
          window.__tetherTest?.terms[id]?.screen().includes(text),
        ),
      texts,
      { polling: 500, timeout: ms },
    );
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) until no block has parsed a byte for two seconds. */
export async function quiet(page: Page, ids: string[], ms: number): Promise<void> {
  const parsed = () =>
    page.evaluate((ids) => ids.map((id) => window.__tetherTest?.terms[id]?.bytesParsed()), ids);
  const deadline = Date.now() + ms;
  let last = JSON.stringify(await parsed());
  while (Date.now() < deadline) {
    await sleep(2000);
    const now = JSON.stringify(await parsed());
    if (now === last) return;
    last = now;
  }
}

export async function readView(page: Page, blockId: string, keep: number): Promise<TermView> {
  return page.evaluate(
    ({ id, keep }) => {
      const term = window.__tetherTest!.terms[id]!;
      const [cols, rows] = [term.cols, term.rows];
      return {
        cols,
        rows,
        screen: term.screen().split('\n'),
        lines: term.text().split('\n').slice(-keep),
      };
    },
    { id: blockId, keep },
  );
}
