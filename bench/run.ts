/**
 * `npm run bench`: Tether's pipeline against baselines measured in the same
 * run, in Debian's Chromium. Prints ratios; targets are in docs/benchmarks.md.
 *
 * (a) `cat` of a text file through Tether (pty → core → WebSocket → xterm.js)
 * (b) the same bytes written straight into a bare xterm.js in the same browser
 * plus: keystroke → answer latency during a flood, Ctrl-C → prompt, and the
 * host process's RSS growth while flooding.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, root } from '../e2e/fixtures/host';
import { CHROMIUM_ARGS, chromiumPath } from '../playwright.config';
import { LINE_SOURCE, writeContent } from './content';
// Brings the renderer's `window.__tetherTest` seam type.
import type {} from '../renderer/term/test-seam';

const MEGABYTES = Number(process.env.TETHER_BENCH_MB ?? 100);
const ECHO_SAMPLES = 15;
const VIEWPORT = { width: 1200, height: 800 };

// Brings the renderer's `window.__tetherTest` seam type.

declare global {
  interface Window {
    __bench?: { osc: number[] };
  }
}

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
}

const seam = (page: Page) =>
  page.evaluate(() => Object.keys(window.__tetherTest?.terms ?? {}).length);

async function typeLine(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').first().focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const file = join(work, 'bench.txt');
  const content = writeContent(file, MEGABYTES * 1024 * 1024);
  // The tty turns every \n into \r\n on the way out.
  const streamBytes = content.bytes + content.lines;
  console.log(`bench: ${(content.bytes / 1048576).toFixed(1)} MiB, ${content.lines} lines`);

  const host = await startHost();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const results: Record<string, number | string> = {};
  try {
    // ---------- (a) through Tether ----------
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(host.url);
    await page.waitForFunction(() => Object.keys(window.__tetherTest?.terms ?? {}).length > 0);
    if ((await seam(page)) === 0) throw new Error('no terminal');
    await page.waitForTimeout(500);
    const renderer = await page.evaluate(() =>
      Object.values(window.__tetherTest!.terms)[0]!.renderer(),
    );
    const options = await page.evaluate(() =>
      Object.values(window.__tetherTest!.terms)[0]!.options(),
    );
    results.renderer = renderer;

    const parsedBefore = await page.evaluate(() =>
      Object.values(window.__tetherTest!.terms)[0]!.bytesParsed(),
    );
    const rssBefore = rssKb(host.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKb(host.pid))), 50);
    // Type the command first: the clock starts at Enter, as the user's wait does.
    await page.locator('.xterm-helper-textarea').first().focus();
    await page.keyboard.type(`cat ${file}`);
    const started = performance.now();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (target) => Object.values(window.__tetherTest!.terms)[0]!.bytesParsed() >= target,
      parsedBefore + streamBytes,
      { polling: 10, timeout: 600_000 },
    );
    const tetherMs = performance.now() - started;
    clearInterval(sampler);
    results.tetherMBps = content.bytes / 1048576 / (tetherMs / 1000);
    results.rssGrowthMB = (rssPeak - rssBefore) / 1024;

    // ---------- (b) bare xterm.js, same browser, same options ----------
    const bare = await browser.newPage({ viewport: VIEWPORT });
    await bare.setContent(
      '<html><body style="margin:0;background:#1b1d23"><div id="t" style="width:100vw;height:100vh"></div></body></html>',
    );
    await bare.addStyleTag({ path: join(root, 'node_modules/@xterm/xterm/css/xterm.css') });
    for (const lib of [
      '@xterm/xterm/lib/xterm.js',
      '@xterm/addon-fit/lib/addon-fit.js',
      '@xterm/addon-webgl/lib/addon-webgl.js',
    ]) {
      await bare.addScriptTag({ path: join(root, 'node_modules', lib) });
    }
    const bareMs = await bare.evaluate(
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
        const makeLine = (0, eval)(lineSource) as (i: number) => string;
        const encoder = new TextEncoder();
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < lines; i += 2048) {
          let text = '';
          for (let k = i; k < Math.min(lines, i + 2048); k++)
            text += makeLine(k).replace('\n', '\r\n');
          chunks.push(encoder.encode(text));
        }
        // Same flow control as Tether: at most ~1 MiB in flight.
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
      { lineSource: LINE_SOURCE, lines: content.lines, options, webgl: renderer === 'webgl' },
    );
    await bare.close();
    results.bareMBps = content.bytes / 1048576 / (bareMs / 1000);
    results.ratio = (results.tetherMBps as number) / (results.bareMBps as number);

    // ---------- keystroke → answer during a flood ----------
    await page.evaluate(() => {
      window.__bench = { osc: [] };
      Object.values(window.__tetherTest!.terms)[0]!.onOsc(7777, () =>
        window.__bench!.osc.push(performance.now()),
      );
    });
    await typeLine(page, `clear; node ${join(root, 'bench', 'flood-echo.mjs')}`);
    await page.waitForTimeout(1500);
    const rssFloodStart = rssKb(host.pid);
    let rssFloodPeak = rssFloodStart;
    const floodSampler = setInterval(
      () => (rssFloodPeak = Math.max(rssFloodPeak, rssKb(host.pid))),
      50,
    );
    const echoes: number[] = [];
    for (let i = 0; i < ECHO_SAMPLES; i++) {
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
    clearInterval(floodSampler);
    results.echoMedianMs = median(echoes);
    results.echoMaxMs = Math.max(...echoes);
    results.rssGrowthDuringFloodMB = (rssFloodPeak - rssFloodStart) / 1024;

    const interrupted = performance.now();
    await page.keyboard.press('Control+C');
    await typeLine(page, 'echo ctrl-c-$((6*7))');
    await page.waitForFunction(
      () => /^ctrl-c-42$/m.test(Object.values(window.__tetherTest!.terms)[0]!.screen()),
      undefined,
      { polling: 10, timeout: 60_000 },
    );
    results.ctrlCMs = performance.now() - interrupted;
    await page.close();
  } finally {
    await browser.close();
    await host.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 1) : v);
  console.log('\nTether benchmark');
  console.log(`  renderer                         ${results.renderer}`);
  console.log(`  (a) cat through Tether           ${fmt(results.tetherMBps!)} MiB/s`);
  console.log(`  (b) bare xterm.js, same browser  ${fmt(results.bareMBps!)} MiB/s`);
  console.log(`  ratio a/b                        ${fmt(results.ratio!)}   (target ≥ 0.8)`);
  console.log(
    `  keystroke → echo during flood    median ${fmt(results.echoMedianMs!)} ms, max ${fmt(results.echoMaxMs!)} ms   (target < 100 ms)`,
  );
  console.log(`  Ctrl-C → prompt during flood     ${fmt(results.ctrlCMs!)} ms`);
  console.log(
    `  host RSS growth during cat       ${fmt(results.rssGrowthMB!)} MB   (target < 100 MB)`,
  );
  console.log(`  host RSS growth during flood     ${fmt(results.rssGrowthDuringFloodMB!)} MB`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'latest.json'),
    JSON.stringify({ date: new Date().toISOString(), megabytes: MEGABYTES, ...results }, null, 2),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
