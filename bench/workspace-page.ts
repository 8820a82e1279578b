/**
 * Workspace measurements in a live Tether page:
 * - tab switch: from the shortcut to the target tab painted with its focused
 *   terminal holding the keyboard, between two tabs of 8 blocks each against
 *   two tabs of one block each (the baseline), alternating in one page;
 * - memory: the renderer with 16 idle blocks against 1.
 */
import type { Browser, Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import {
  block,
  expectBlockCount,
  expectPrompt,
  tabs,
  tileBlocks,
  typeCommand,
} from '../e2e/fixtures/workspace';
import { expect } from '../e2e/fixtures/terminal';
import type { Host } from '../e2e/fixtures/host';
import { rssKb } from './tether-page';

const FILL = "seq -f 'line %g: the quick brown fox jumps over the lazy dog' 1 400";

/** A tab (the first, or a new one) with `count` blocks, each showing a screenful of text. */
async function buildTab(page: Page, count: number, first: boolean): Promise<void> {
  if (!first) {
    const before = await tabs(page).count();
    await page.getByRole('button', { name: 'New tab' }).click();
    await expect(tabs(page)).toHaveCount(before + 1);
    await expectBlockCount(page, 1);
  }
  const ids = await tileBlocks(page, count);
  for (const id of ids) {
    await expectPrompt(page, id);
    await block(page, id).locator('.xterm-screen').click();
    await typeCommand(page, FILL);
  }
  for (const id of ids) {
    await page.waitForFunction(
      (blockId) => /line 400:/.test(window.__tetherTest?.terms[blockId]?.text() ?? ''),
      id,
    );
  }
}

/** Milliseconds from the Ctrl+N shortcut to the third frame after it, with focus checked. */
function switchTo(page: Page, tabNumber: number): Promise<number> {
  return page.evaluate(async (digit) => {
    // No named helpers in here: the bundler would wrap them in a function the page lacks.
    // Start on a frame boundary so both arms wait for vsync the same way.
    await new Promise(requestAnimationFrame);
    const start = performance.now();
    window.dispatchEvent(
      new KeyboardEvent('keydown', { code: `Digit${digit}`, ctrlKey: true, cancelable: true }),
    );
    // Frame 1 commits and lays out the tab, frame 2 runs xterm's resumed renders,
    // frame 3 starts after they are painted.
    for (let frame = 0; frame < 3; frame++) await new Promise(requestAnimationFrame);
    const elapsed = performance.now() - start;
    const focused = document.activeElement?.closest('[data-block-id]');
    if (
      focused?.getAttribute('data-focused') !== 'true' ||
      !focused.closest('.tab-view:not([hidden])')
    ) {
      throw new Error('the target tab is not interactive: its focused terminal lacks the keyboard');
    }
    return elapsed;
  }, tabNumber);
}

export type TabSwitchResult = { manyMs: number[]; oneMs: number[] };

/** Tabs 1-2 hold `perTab` blocks, tabs 3-4 one each; switches alternate between the pairs. */
export async function measureTabSwitch(
  page: Page,
  url: string,
  perTab: number,
  switches: number,
): Promise<TabSwitchResult> {
  await page.goto(url);
  await expectBlockCount(page, 1);
  await buildTab(page, perTab, true);
  await buildTab(page, perTab, false);
  await buildTab(page, 1, false);
  await buildTab(page, 1, false);
  await page.waitForTimeout(1000);
  const manyMs: number[] = [];
  const oneMs: number[] = [];
  // Warm up both pairs once.
  for (const digit of [1, 2, 3, 4]) await switchTo(page, digit);
  for (let i = 0; i < switches; i++) {
    manyMs.push(await switchTo(page, i % 2 === 0 ? 1 : 2));
    oneMs.push(await switchTo(page, i % 2 === 0 ? 3 : 4));
  }
  return { manyMs, oneMs };
}

/** Resident memory of the browser's renderer processes, in MB. */
function rendererRssMb(browserPid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const parent = Number(status.match(/PPid:\s+(\d+)/)?.[1]);
      if (!cmdline.includes('--type=renderer') || !isDescendant(parent, browserPid)) continue;
      total += rssKb(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total / 1024;
}

function isDescendant(pid: number, ancestor: number): boolean {
  for (let current = pid, hops = 0; current > 1 && hops < 10; hops++) {
    if (current === ancestor) return true;
    const status = readFileSync(`/proc/${current}/status`, 'utf8');
    current = Number(status.match(/PPid:\s+(\d+)/)?.[1]);
  }
  return false;
}

export type MemorySample = { jsHeapMb: number; domNodes: number; rendererRssMb: number };

async function sampleMemory(page: Page, browserPid: number): Promise<MemorySample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? 0;
  return {
    jsHeapMb: metric('JSHeapUsedSize') / 1048576,
    domNodes: metric('Nodes'),
    rendererRssMb: rendererRssMb(browserPid),
  };
}

/** The renderer with one idle block, then with `count` idle blocks in one tab. */
export async function measureIdleBlocks(
  browser: Browser,
  host: Host,
  browserPid: number,
  count: number,
): Promise<{ one: MemorySample; many: MemorySample }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.goto(host.url);
    const [first] = await expectBlockCount(page, 1);
    await expectPrompt(page, first!);
    await page.waitForTimeout(1000);
    const one = await sampleMemory(page, browserPid);
    const ids = await tileBlocks(page, count);
    for (const id of ids) await expectPrompt(page, id);
    await page.waitForTimeout(2000);
    const many = await sampleMemory(page, browserPid);
    return { one, many };
  } finally {
    await page.close();
  }
}
