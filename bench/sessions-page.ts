/**
 * Session measurements in a live Tether page:
 * (a) `cat` of the benchmark file in a session shown in four panes of one tab
 *     against the same in a session shown in one pane (the baseline),
 *     alternating in one page; done when every pane showing it is current.
 * (b) switching a block to a session with 10,000 lines of scrollback against
 *     writing the same lines into a bare xterm.js of the same size.
 */
import type { Browser, Page } from '@playwright/test';
import { join } from 'node:path';
import { root } from '../e2e/fixtures/host';
import { requestAsOtherWindow } from '../e2e/fixtures/other-window';
import {
  block,
  expectBlockCount,
  expectPrompt,
  tabs,
  visibleBlockIds,
} from '../e2e/fixtures/workspace';
import { expect } from '../e2e/fixtures/terminal';

/** Tab 1: one session in four panes. Tab 2: one session in one pane. Returns their block ids. */
export async function buildSharedTabs(
  page: Page,
  url: string,
): Promise<{ four: string[]; one: string[] }> {
  await page.goto(url);
  const [first] = await expectBlockCount(page, 1);
  await expectPrompt(page, first!);
  for (let count = 2; count <= 4; count++) {
    const ids = await visibleBlockIds(page);
    // Always share from the biggest pane, so the four end up in a grid.
    const target = ids[count === 3 ? 0 : ids.length - 1]!;
    await block(page, target).getByRole('button', { name: 'Open in new pane' }).click();
    await expectBlockCount(page, count);
  }
  const four = await visibleBlockIds(page);
  await page.getByRole('button', { name: 'New tab' }).click();
  await expect(tabs(page)).toHaveCount(2);
  const one = await expectBlockCount(page, 1);
  await expectPrompt(page, one[0]!);
  return { four, one };
}

/** Milliseconds from Enter on `cat file` in `typeInto` until every block in `watch` parsed it. */
export async function catAcross(
  page: Page,
  tabIndex: number,
  typeInto: string,
  watch: string[],
  file: string,
  streamBytes: number,
): Promise<number> {
  await tabs(page).nth(tabIndex).click();
  await block(page, typeInto).locator('.xterm-screen').click();
  const before = await page.evaluate(
    (ids) => ids.map((id) => window.__tetherTest!.terms[id]!.bytesParsed()),
    watch,
  );
  await page.keyboard.type(`clear; cat ${file}`);
  const started = performance.now();
  await page.keyboard.press('Enter');
  // The pane typed into sizes the shell and parses everything; when it has, its offset is
  // the stream's end, which every other pane must reach (by parsing or by a snapshot).
  await page.waitForFunction(
    ({ id, target }) => window.__tetherTest!.terms[id]!.bytesParsed() >= target,
    { id: typeInto, target: before[watch.indexOf(typeInto)]! + streamBytes },
    { polling: 10, timeout: 900_000 },
  );
  const end = await page.evaluate((id) => window.__tetherTest!.terms[id]!.shownOffset(), typeInto);
  if (process.env.TETHER_BENCH_DEBUG)
    console.log(`  primary done after ${(performance.now() - started).toFixed(0)} ms`);
  await page.waitForFunction(
    ({ ids, end }) => ids.every((id) => window.__tetherTest!.terms[id]!.shownOffset() >= end),
    { ids: watch, end },
    { polling: 10, timeout: 900_000 },
  );
  return performance.now() - started;
}

const SCROLLBACK_LINE = (i: number) => `line ${i}: the quick brown fox jumps over the lazy dog`;

/**
 * (b) Switching a block to a session holding `lines` lines of scrollback:
 * from the click in the block's session list until the terminal shows the
 * session's last line painted, over several rounds (the block is detached
 * between rounds from a second client, which puts the list back).
 */
export async function measureSwitch(
  page: Page,
  url: string,
  lines: number,
  rounds: number,
): Promise<{ ms: number[]; cols: number; rows: number; options: Record<string, unknown> }> {
  await page.goto(url);
  const [viewer] = await expectBlockCount(page, 1);
  await expectPrompt(page, viewer!);
  await page.getByRole('button', { name: 'New tab' }).click();
  await expect(tabs(page)).toHaveCount(2);
  const [holder] = await expectBlockCount(page, 1);
  await expectPrompt(page, holder!);
  await block(page, holder!).locator('.xterm-screen').click();
  await page.keyboard.type(`seq -f '${SCROLLBACK_LINE(0).replace('0', '%g')}' 1 ${lines}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ({ id, last }) => window.__tetherTest!.terms[id]!.text().includes(last),
    { id: holder!, last: `${SCROLLBACK_LINE(lines)}\n` },
    { timeout: 120_000 },
  );
  const target = await page.evaluate((id) => window.__tetherTest!.terms[id]!.sessionId(), holder!);
  await tabs(page).nth(0).click();
  const ms: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await requestAsOtherWindow(page, 'detachBlock', { blockId: viewer! });
    const list = block(page, viewer!).getByRole('list', { name: 'Sessions' });
    await expect(list.getByRole('button', { name: /^seq -f/ })).toBeVisible();
    ms.push(
      await page.evaluate(
        async ({ id, sessionId, last }) => {
          const button = [
            ...document.querySelectorAll(`[data-block-id="${id}"] [aria-label="Sessions"] button`),
          ].find((element) => element.textContent?.startsWith('seq -f')) as HTMLButtonElement;
          await new Promise(requestAnimationFrame);
          const start = performance.now();
          button.click();
          for (;;) {
            await new Promise(requestAnimationFrame);
            const term = window.__tetherTest!.terms[id];
            if (term?.sessionId() === sessionId && term.text().includes(last)) break;
          }
          // One more frame: the last one painted what was parsed.
          await new Promise(requestAnimationFrame);
          return performance.now() - start;
        },
        { id: viewer!, sessionId: target, last: SCROLLBACK_LINE(lines) },
      ),
    );
  }
  const { cols, rows, options } = await page.evaluate((id) => {
    const term = window.__tetherTest!.terms[id]!;
    return { cols: term.cols, rows: term.rows, options: term.options() };
  }, viewer!);
  return { ms, cols, rows, options };
}

/** The same lines written into a bare xterm.js of the same size: until painted. */
export async function measureBareSnapshot(
  browser: Browser,
  run: { lines: number; cols: number; rows: number; options: Record<string, unknown> },
  rounds: number,
): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.setContent('<html><body style="margin:0"><div id="t"></div></body></html>');
    await page.addStyleTag({ path: join(root, 'node_modules/@xterm/xterm/css/xterm.css') });
    await page.addScriptTag({ path: join(root, 'node_modules/@xterm/xterm/lib/xterm.js') });
    const ms: number[] = [];
    for (let round = 0; round < rounds; round++) {
      ms.push(
        await page.evaluate(
          async ({ lines, cols, rows, options, line }) => {
            type Term = {
              open(el: HTMLElement): void;
              write(data: string, callback: () => void): void;
              dispose(): void;
            };
            const g = window as unknown as { Terminal: new (o: unknown) => Term };
            const host = document.getElementById('t')!;
            const term = new g.Terminal({ ...options, cols, rows });
            term.open(host);
            const makeLine = (0, eval)(line) as (i: number) => string;
            let text = '';
            for (let i = 1; i <= lines; i++) text += `${makeLine(i)}\r\n`;
            await new Promise(requestAnimationFrame);
            const start = performance.now();
            await new Promise<void>((resolve) => term.write(text, resolve));
            await new Promise(requestAnimationFrame);
            await new Promise(requestAnimationFrame);
            const elapsed = performance.now() - start;
            term.dispose();
            return elapsed;
          },
          { ...run, line: SCROLLBACK_LINE.toString() },
        ),
      );
    }
    return ms;
  } finally {
    await page.close();
  }
}
