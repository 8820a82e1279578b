/**
 * Restart-to-live: a workspace whose blocks each show a session with a screen
 * of coloured output; the host is stopped as quitting stops it (SIGTERM) and
 * started again on the same data dir, and the clock runs from spawning the
 * new host until the page shows a block painted (for tmux, its restored output
 * in the block's DOM rows; whether its last line survived is counted apart).
 * Times come from the page's own clock (performance.timeOrigin + now()),
 * stamped in an init script, so the benchmark's polling adds nothing.
 */
import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '../e2e/fixtures/terminal';
import {
  block,
  expectBlockCount,
  expectPrompt,
  layoutSaved,
  tabs,
  tileBlocks,
  typeCommand,
} from '../e2e/fixtures/workspace';
import { cpuSeconds, type BackendHost } from './tmux-page';

declare global {
  interface Window {
    /** Epoch milliseconds: a visible terminal in the DOM, one painted, all painted. */
    __restart?: { mounted: number; first: number; tab: number };
  }
}

/** A shell script printing `lines` coloured lines tagged with its first argument. */
export function writeFillScript(dir: string, lines: number): string {
  const file = join(dir, 'fill.sh');
  writeFileSync(
    file,
    [
      'i=1',
      `while [ "$i" -le ${lines} ]; do`,
      `  printf '\\033[3%dm%s line %d\\033[0m ✓ the quick brown fox\\n' $((i % 7 + 1)) "$1" "$i"`,
      '  i=$((i + 1))',
      'done',
      '',
    ].join('\n'),
  );
  return file;
}

/** The last line `fill.sh <tag>` prints, as a block's DOM rows show it. */
export const lastLine = (tag: string, lines: number) => `${tag} line ${lines} ✓`;

/**
 * `tabCount` tabs of `perTab` blocks (the first tab's block, then splits; new tabs from
 * the tab bar), each block running `fill.sh` with its own tag; tab 1 is left active.
 * Returns every block's tag by block id.
 */
export async function buildFilledWorkspace(
  page: Page,
  url: string,
  run: { tabCount: number; perTab: number; script: string; lines: number },
): Promise<Map<string, string>> {
  await page.goto(url);
  await expectBlockCount(page, 1);
  const tags = new Map<string, string>();
  for (let tab = 0; tab < run.tabCount; tab++) {
    if (tab > 0) {
      await page.getByRole('button', { name: 'New tab' }).click();
      await expect(tabs(page)).toHaveCount(tab + 1);
      await expectBlockCount(page, 1);
    }
    for (const id of await tileBlocks(page, run.perTab)) {
      await expectPrompt(page, id);
      await block(page, id).locator('.xterm-screen').click();
      const tag = `s${String(tags.size + 1).padStart(2, '0')}`;
      tags.set(id, tag);
      await typeCommand(page, `clear; sh ${run.script} ${tag}`);
    }
  }
  for (const [id, tag] of tags) {
    await page.waitForFunction(
      ({ blockId, last }) => window.__tetherTest?.terms[blockId]?.screen().includes(last) ?? false,
      { blockId: id, last: lastLine(tag, run.lines) },
      { timeout: 60_000 },
    );
  }
  await tabs(page).nth(0).click();
  await layoutSaved(page);
  return tags;
}

/** What counts as painted: a visible block's DOM rows show this pattern, or its status does. */
export type PaintedWhen = { rows?: string; status?: string };

export type RestartTiming = {
  /** From spawning the host to its "running at" line (it serves from then on). */
  hostReadyMs: number;
  /** From spawning the host to the page's DOMContentLoaded (the app's script has run). */
  pageLoadedMs: number;
  /** From spawning the host to the first frame with a visible terminal in the DOM. */
  mountedMs: number;
  /** From spawning the host to the first visible block painted as `PaintedWhen` says. */
  firstBlockMs: number;
  /** From spawning the host to every visible block painted so. */
  activeTabMs: number;
  /** CPU seconds the new host used by then (all its threads, from its start). */
  hostCpuS: number;
  /** CPU seconds the tmux server used from the stop until then. */
  tmuxServerCpuS: number;
};

/**
 * Stop the host (SIGTERM, waited for), spawn it again on the same data dir and open
 * the page on it, left on about:blank meanwhile, as a new window starts. The page
 * must have `stampPaintedBlocks` installed.
 */
export async function measureRestart(page: Page, backendHost: BackendHost): Promise<RestartTiming> {
  const { host } = backendHost;
  await page.goto('about:blank');
  const serverPid = await backendHost.serverPid();
  const serverCpu = serverPid === null ? 0 : cpuSeconds(serverPid);
  const old = host.pid;
  process.kill(old, 'SIGTERM');
  await waitForExit(old);
  // restart() finds the old host gone, so it spawns at once.
  const spawned = performance.timeOrigin + performance.now();
  await host.restart();
  const ready = performance.timeOrigin + performance.now();
  await page.goto(host.url);
  const marks = await page.waitForFunction(
    () => (window.__restart!.tab > 0 ? window.__restart : null),
    undefined,
    { polling: 50, timeout: 60_000 },
  );
  const hostCpuS = cpuSeconds(host.pid);
  const tmuxServerCpuS = serverPid === null ? 0 : cpuSeconds(serverPid) - serverCpu;
  const { mounted, first, tab } = (await marks.jsonValue())!;
  const loaded = await page.evaluate(
    () =>
      performance.timeOrigin +
      (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
        .domContentLoadedEventEnd,
  );
  return {
    hostReadyMs: ready - spawned,
    pageLoadedMs: loaded - spawned,
    mountedMs: mounted - spawned,
    firstBlockMs: first - spawned,
    activeTabMs: tab - spawned,
    hostCpuS,
    tmuxServerCpuS,
  };
}

/**
 * Installs, for every page load, a per-frame check of the visible blocks: stamps the
 * first frame where one is painted and where all are (at the next frame's start, so
 * the frame that painted them is included).
 */
export async function stampPaintedBlocks(page: Page, painted: PaintedWhen): Promise<void> {
  await page.addInitScript(({ rows, status }) => {
    // No named helpers in here: the bundler would wrap them in a function the page lacks.
    const marks = { mounted: 0, first: 0, tab: 0 };
    window.__restart = marks;
    const rowsPattern = rows === undefined ? null : new RegExp(rows);
    void (async () => {
      for (;;) {
        // Checked at a frame's start: what it finds was painted by the frame before.
        await new Promise(requestAnimationFrame);
        const blocks = [
          ...document.querySelectorAll(
            '.tab-view:not([hidden]) .pane:not([hidden]) [data-block-id]',
          ),
        ];
        const now = performance.timeOrigin + performance.now();
        if (marks.mounted === 0 && blocks.some((element) => element.querySelector('.xterm-rows')))
          marks.mounted = now;
        const painted = blocks.filter((element) => {
          const text = element.querySelector('.xterm-rows')?.textContent;
          if (text === undefined || text === null) return false;
          if (rowsPattern && !rowsPattern.test(text)) return false;
          const shown = element.querySelector('[role="status"]')?.textContent ?? '';
          return status === undefined || shown.includes(status);
        }).length;
        if (painted > 0 && marks.first === 0) marks.first = now;
        if (painted > 0 && painted === blocks.length) {
          marks.tab = now;
          return;
        }
      }
    })();
  }, painted);
}

/**
 * Waits until every block of the workspace (all tabs) has parsed its restored screen
 * (any line of its own output); returns how many hold their last line.
 */
export async function restoredBlocks(
  page: Page,
  tags: Map<string, string>,
  lines: number,
): Promise<{ blocks: number; withLastLine: number }> {
  const expected = [...tags].map(([id, tag]) => [id, `${tag} line `, lastLine(tag, lines)]);
  await page.waitForFunction(
    (all) => all.every(([id, any]) => window.__tetherTest?.terms[id!]?.text().includes(any!)),
    expected,
    { polling: 100, timeout: 60_000 },
  );
  const withLastLine = await page.evaluate(
    (all) => all.filter(([id, , last]) => window.__tetherTest!.terms[id!]!.text().includes(last!)),
    expected,
  );
  return { blocks: tags.size, withLastLine: withLastLine.length };
}

async function waitForExit(pid: number): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 20) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`host ${pid} did not stop within 15 s of SIGTERM`);
}
