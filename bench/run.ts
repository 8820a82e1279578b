/**
 * `npm run bench`: Tether's pipeline against baselines measured in the same
 * run, in Debian's Chromium. Prints ratios; method and results are in
 * docs/benchmarks.md.
 *
 * (a) `cat` of a text file through Tether (pty → core → WebSocket → xterm.js)
 * (b) the streaming baseline: the same `cat` through node-pty → a minimal
 *     WebSocket server → a bare xterm.js, with the flow-control guide's
 *     watermarks (streaming-baseline.ts)
 * (c) the same bytes written straight into a bare xterm.js (the ceiling)
 * All three share the browser and Tether's terminal size and options, and run
 * in turn for several rounds, because a shared machine's speed drifts by tens
 * of percent between runs; ratios are medians of rounds and ratios of bests.
 * Plus: keystroke → answer latency during a flood, Ctrl-C → prompt, and the
 * host process's memory: growth during the cats, and 30 s after the last.
 *
 * Workspace: switching between two tabs of 8 blocks against two tabs of one
 * block, and the renderer's memory with 16 idle blocks against one.
 *
 * Sessions: (a) `cat` in a session shown in 4 panes against 1 pane; (b)
 * switching a block to a session with 10,000 lines of scrollback against
 * writing those lines into a bare xterm.js; (c) one consistency-checker cycle
 * over 500 sessions and 1,000 blocks against the two reads it cannot avoid.
 *
 * Picker: opening the session picker with 200 sessions on the connection
 * against opening it with one, until painted with every row and its peek.
 *
 * SSH: (a) `cat` through a Tether block on `testhost`, a real sshd on
 * 127.0.0.1 (pty → sshd → ssh2 in the core → WebSocket → xterm.js) against
 * (b) OpenSSH's `ssh -tt testhost cat file` streamed into a bare xterm.js of
 * the same size, alternating as for throughput.
 *
 * tmux: local sessions on tmux (control mode) against pty, each host with a
 * tmux server of its own: (a) `cat` in a tmux block against a pty block,
 * alternating, until the file's last line is on screen (tmux skips what a
 * lagging page missed), with the CPU of the tmux server, its client, the host
 * and the page; (b) keystroke → echo at an idle prompt; (c) restart-to-live:
 * 20 tmux sessions of 2,000 coloured lines in 5 tabs of 4 blocks, the host
 * stopped (SIGTERM) and started again, until a block shows its restored
 * screen, against the same restart with one pty session (and one tmux one).
 *
 * SSH on the host's tmux (ssh-tmux.ts): (a) `cat` in a block whose session is
 * on the host's tmux against OpenSSH into a bare xterm.js (and a plain SSH
 * block); (b) resume after a cut link; (c) keystroke → echo, tmux against plain.
 * The `ssh` part above keeps measuring plain SSH shells (TETHER_SSH_BACKEND=plain),
 * as it did before sessions went to the host's tmux.
 *
 * TETHER_BENCH_ONLY=throughput, =workspace, =sessions, =picker, =ssh, =tmux or =ssh-tmux
 * runs one part.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startHost } from '../e2e/fixtures/host';
import { CHROMIUM_ARGS, chromiumPath } from '../playwright.config';
import { measureBareXterm } from './bare-xterm';
import { benchFile } from './content';
import {
  measureCat,
  measureEchoDuringFlood,
  measureInterrupt,
  parsed,
  rssGrowth,
  rssKb,
  typeLine,
} from './tether-page';
import { measureStreamingCat } from './streaming-baseline';
import { measureCheckerCycle } from './checker';
import { buildSharedTabs, catAcross, measureBareSnapshot, measureSwitch } from './sessions-page';
import { measureIdleBlocks, measureTabSwitch } from './workspace-page';
import { measurePicker, type PickerCase } from './picker-page';
import { Cleanups } from '../main/testing/ssh/cleanups';
import { startTestTmux } from '../main/testing/test-tmux';
import { startTestSshd } from '../main/testing/ssh/test-sshd';
import { measureOpenSshCat } from './openssh-baseline';
import { openSshBlock } from './ssh-page';
import { sshTmuxPart } from './ssh-tmux';
import {
  cpuAccount,
  measureIdleEcho,
  openBlockPage,
  startBackendHost,
  type BlockPage,
  type CpuSplit,
} from './tmux-page';
import {
  buildFilledWorkspace,
  measureRestart,
  restoredBlocks,
  stampPaintedBlocks,
  writeFillScript,
  type RestartTiming,
} from './tmux-restart';
import { block, expectPrompt } from '../e2e/fixtures/workspace';
import { fmt, inTurn, median } from './stats';

const MEGABYTES = Number(process.env.TETHER_BENCH_MB ?? 100);
const ROUNDS = Number(process.env.TETHER_BENCH_ROUNDS ?? 3);
const ECHO_SAMPLES = 15;
/** How long after the last `cat` the host's RSS must be back near idle. */
const RSS_SETTLE_MS = 30_000;
const WARM_UP_LINES = 11_000;
const VIEWPORT = { width: 1200, height: 800 };
const ONLY = process.env.TETHER_BENCH_ONLY;
const TAB_SWITCHES = 30;
const SWITCHES = 7;
const PICKER_SESSIONS = Number(process.env.TETHER_BENCH_PICKER_SESSIONS ?? 200);
const PICKER_OPENS = 15;
const SSH_ALIAS = 'testhost';
/** Idle echoes are a few ms: more samples than during a flood, against this machine's noise. */
const IDLE_ECHO_SAMPLES = 40;
const RESTARTS = Number(process.env.TETHER_BENCH_RESTARTS ?? 5);
const RESTORE_TABS = 5;
const RESTORE_PER_TAB = 4;
const RESTORE_LINES = 2_000;

async function throughput(): Promise<Record<string, unknown>> {
  const { work, file, content, streamBytes, mib } = benchFile(MEGABYTES);

  const host = await startHost();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(host.url);
    await page.waitForFunction(() => Object.keys(window.__tetherTest?.terms ?? {}).length > 0);
    await page.waitForTimeout(500);
    const { renderer, options, size } = await page.evaluate(() => {
      const term = Object.values(window.__tetherTest!.terms)[0]!;
      return {
        renderer: term.renderer(),
        options: term.options(),
        size: { cols: term.cols, rows: term.rows },
      };
    });
    // The baselines get Tether's terminal: its options, renderer and size.
    const setup = { options, webgl: renderer === 'webgl', viewport: VIEWPORT, size };
    console.log(
      `bench: ${fmt(mib)} MiB, ${content.lines} lines, ${ROUNDS} rounds, ${size.cols}×${size.rows}, ${renderer}`,
    );

    // Idle is measured with the session's scrollback already full: the 10,000 lines a cat
    // leaves in the mirror (~17 MB at this width) are the session's state, kept on purpose,
    // not memory the flood needed only while it ran. The cold figure is printed too.
    const coldKb = rssKb(host.pid);
    await typeLine(page, `seq 1 ${WARM_UP_LINES}; echo warm-up-$((1+1))`);
    await page.waitForFunction(() =>
      Object.values(window.__tetherTest!.terms)[0]!.screen().includes('\nwarm-up-2'),
    );
    await page.waitForTimeout(3_000);
    const idleKb = rssKb(host.pid);
    const tether: number[] = [];
    const streaming: number[] = [];
    const bare: number[] = [];
    const rssOverIdle: number[] = [];
    let lastCatEnded = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await page.bringToFront();
      const rss = rssGrowth(host.pid, idleKb);
      const tetherMs = await measureCat(page, file, streamBytes);
      lastCatEnded = performance.now();
      rssOverIdle.push(rss.stop());
      const streamingMs = await measureStreamingCat(browser, { ...setup, file, streamBytes });
      const bareMs = await measureBareXterm(browser, { ...setup, lines: content.lines });
      tether.push(mib / (tetherMs / 1000));
      streaming.push(mib / (streamingMs / 1000));
      bare.push(mib / (bareMs / 1000));
      const [t, s, b] = [tether.at(-1)!, streaming.at(-1)!, bare.at(-1)!];
      console.log(
        `  round ${round}: Tether ${fmt(t)} MiB/s, streaming ${fmt(s)} MiB/s, bare ${fmt(b)} MiB/s; Tether/streaming ${fmt(t / s)}, Tether/bare ${fmt(t / b)}, streaming/bare ${fmt(s / b)}; host RSS peak +${fmt(rssOverIdle.at(-1)!)} MB over idle`,
      );
    }

    // Does the host give back what the floods took? Nothing runs in its shell meanwhile.
    await page.waitForTimeout(Math.max(0, lastCatEnded + RSS_SETTLE_MS - performance.now()));
    const settledKb = rssKb(host.pid);
    const rssDuringCat = Math.max(...rssOverIdle);
    const rssBackToIdle = (settledKb - idleKb) / 1024;

    await page.bringToFront();
    const rss = rssGrowth(host.pid);
    const echoes = await measureEchoDuringFlood(page, ECHO_SAMPLES);
    const rssDuringFlood = rss.stop();
    const ctrlCMs = await measureInterrupt(page);

    const compare = (over: number[], under: number[]) => ({
      medianRatio: median(over.map((value, round) => value / under[round]!)),
      ratioOfBest: Math.max(...over) / Math.max(...under),
    });
    const results = {
      megabytes: MEGABYTES,
      rounds: ROUNDS,
      renderer,
      size,
      tetherMiBps: tether,
      streamingMiBps: streaming,
      bareMiBps: bare,
      tetherToStreaming: compare(tether, streaming),
      tetherToBare: compare(tether, bare),
      streamingToBare: compare(streaming, bare),
      echoMedianMs: median(echoes),
      echoMaxMs: Math.max(...echoes),
      ctrlCMs,
      coldRssMB: coldKb / 1024,
      idleRssMB: idleKb / 1024,
      rssGrowthDuringCatMB: rssDuringCat,
      rssGrowthOverIdlePerRoundMB: rssOverIdle,
      rssAfterSettleMB: settledKb / 1024,
      rssBackToIdleMB: rssBackToIdle,
      rssGrowthDuringFloodMB: rssDuringFlood,
    };
    const met = (ok: boolean) => (ok ? 'met' : 'not met');
    const speeds = (values: number[]) =>
      `best ${fmt(Math.max(...values))}, median ${fmt(median(values))} MiB/s`;
    const ratios = ({ medianRatio, ratioOfBest }: ReturnType<typeof compare>) =>
      `${fmt(medianRatio)} median of rounds, ${fmt(ratioOfBest)} of bests`;
    const { tetherToStreaming, tetherToBare } = results;
    console.log('\nTether benchmark');
    console.log(`  renderer, size                    ${renderer}, ${size.cols}×${size.rows}`);
    console.log(`  (a) cat through Tether            ${speeds(tether)}`);
    console.log(`  (b) streaming baseline            ${speeds(streaming)}`);
    console.log(`  (c) bare xterm.js                 ${speeds(bare)}`);
    console.log(
      `  Tether / streaming                ${ratios(tetherToStreaming)}   (target ≥ 0.95 — ${met(tetherToStreaming.medianRatio >= 0.95)})`,
    );
    console.log(
      `  Tether / bare                     ${ratios(tetherToBare)}   (target ≥ 0.6 — ${met(tetherToBare.medianRatio >= 0.6)})`,
    );
    console.log(`  streaming / bare                  ${ratios(results.streamingToBare)}`);
    console.log(
      `  keystroke → echo during flood     median ${fmt(results.echoMedianMs)} ms, max ${fmt(results.echoMaxMs)} ms   (target < 50 ms — ${met(results.echoMedianMs < 50)})`,
    );
    console.log(`  Ctrl-C → prompt during flood      ${fmt(ctrlCMs)} ms`);
    console.log(`  host RSS at start                 ${fmt(results.coldRssMB)} MB`);
    console.log(
      `  host RSS idle, before the cats    ${fmt(results.idleRssMB)} MB (scrollback full: ${WARM_UP_LINES} lines)`,
    );
    console.log(
      `  host RSS growth during cat        ${fmt(rssDuringCat)} MB over idle, peak of rounds   (target < 30 MB — ${met(rssDuringCat < 30)})`,
    );
    console.log(
      `  host RSS 30 s after the last cat  ${fmt(results.rssAfterSettleMB)} MB, ${fmt(rssBackToIdle)} MB over idle   (target within 10 MB — ${met(rssBackToIdle <= 10)})`,
    );
    console.log(`  host RSS growth during flood      ${fmt(rssDuringFlood)} MB`);
    return results;
  } finally {
    await browser.close();
    await host.stop();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function workspace(): Promise<Record<string, unknown>> {
  const host = await startHost();
  // A server, so the renderer processes can be found under the browser's pid.
  const server = await chromium.launchServer({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const browser = await chromium.connect(server.wsEndpoint());
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const switches = await measureTabSwitch(page, host.url, 8, TAB_SWITCHES);
    await page.close();
    // A fresh workspace, with nothing left from the tab-switch run.
    const idleHost = await startHost();
    const memory = await measureIdleBlocks(
      browser,
      idleHost,
      server.process().pid ?? -1,
      16,
    ).finally(() => idleHost.stop());
    const many = median(switches.manyMs);
    const one = median(switches.oneMs);
    const perBlock = (key: 'jsHeapMb' | 'rendererRssMb') =>
      (memory.many[key] - memory.one[key]) / 15;
    const results = {
      tabSwitchManyMedianMs: many,
      tabSwitchOneMedianMs: one,
      tabSwitchRatio: many / one,
      tabSwitchManyMs: switches.manyMs,
      tabSwitchOneMs: switches.oneMs,
      memory,
      jsHeapPerBlockMb: perBlock('jsHeapMb'),
      rendererRssPerBlockMb: perBlock('rendererRssMb'),
    };
    console.log('\nWorkspace benchmark');
    console.log(
      `  tab switch, 8 blocks per tab      median ${fmt(many)} ms, max ${fmt(Math.max(...switches.manyMs))} ms`,
    );
    console.log(
      `  tab switch, 1 block per tab       median ${fmt(one)} ms, max ${fmt(Math.max(...switches.oneMs))} ms`,
    );
    console.log(`  ratio 8/1                         ${fmt(many / one)}   (target ≤ 1.5)`);
    console.log(
      `  renderer, 1 idle block            JS heap ${fmt(memory.one.jsHeapMb)} MB, RSS ${fmt(memory.one.rendererRssMb)} MB, ${memory.one.domNodes} DOM nodes`,
    );
    console.log(
      `  renderer, 16 idle blocks          JS heap ${fmt(memory.many.jsHeapMb)} MB, RSS ${fmt(memory.many.rendererRssMb)} MB, ${memory.many.domNodes} DOM nodes`,
    );
    console.log(
      `  per extra block                   JS heap ${fmt(results.jsHeapPerBlockMb)} MB, RSS ${fmt(results.rendererRssPerBlockMb)} MB`,
    );
    return results;
  } finally {
    await browser.close();
    await server.close();
    await host.stop();
  }
}

async function sessions(): Promise<Record<string, unknown>> {
  const { work, file, streamBytes, mib } = benchFile(MEGABYTES);
  const host = await startHost();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const { four, one } = await buildSharedTabs(page, host.url);
    const fourMiBps: number[] = [];
    const oneMiBps: number[] = [];
    const paneRatios: number[] = [];
    console.log(`\nSessions benchmark (${fmt(mib)} MiB, ${ROUNDS} rounds)`);
    for (let round = 1; round <= ROUNDS; round++) {
      const fourMs = await catAcross(page, 0, four[0]!, four, file, streamBytes);
      const oneMs = await catAcross(page, 1, one[0]!, one, file, streamBytes);
      fourMiBps.push(mib / (fourMs / 1000));
      oneMiBps.push(mib / (oneMs / 1000));
      paneRatios.push(fourMiBps.at(-1)! / oneMiBps.at(-1)!);
      console.log(
        `  round ${round}: 4 panes ${fmt(fourMiBps.at(-1)!)} MiB/s, 1 pane ${fmt(oneMiBps.at(-1)!)} MiB/s, ratio ${fmt(paneRatios.at(-1)!)}`,
      );
    }
    await page.close();

    const switchHost = await startHost();
    const switchPage = await browser.newPage({ viewport: VIEWPORT });
    const switched = await measureSwitch(switchPage, switchHost.url, 10_000, SWITCHES).finally(() =>
      switchHost.stop(),
    );
    const bareSwitch = await measureBareSnapshot(
      browser,
      { lines: 10_000, cols: switched.cols, rows: switched.rows, options: switched.options },
      SWITCHES,
    );
    const checker = await measureCheckerCycle();
    const results = {
      fourPaneMiBps: fourMiBps,
      onePaneMiBps: oneMiBps,
      paneMedianRatio: median(paneRatios),
      switchMs: switched.ms,
      bareSnapshotMs: bareSwitch,
      switchMedianRatio: median(switched.ms) / median(bareSwitch),
      switchColdRatio: switched.ms[0]! / bareSwitch[0]!,
      checkerCycleMedianMs: median(checker.cycleMs),
      checkerReadsMedianMs: median(checker.readsMs),
      checker,
    };
    console.log(
      `  (a) 4 panes / 1 pane              ${fmt(results.paneMedianRatio)} median of rounds   (target ≥ 0.8)`,
    );
    console.log(
      `  (b) switch to 10k-line session    median ${fmt(median(switched.ms))} ms (first ${fmt(switched.ms[0]!)}), bare ${fmt(median(bareSwitch))} ms, ratio ${fmt(results.switchMedianRatio)} (first ${fmt(results.switchColdRatio)})   (target ≤ 1.5)`,
    );
    console.log(
      `  (c) checker, ${checker.sessions} sessions / ${checker.blocks} blocks   median ${fmt(results.checkerCycleMedianMs)} ms, max ${fmt(Math.max(...checker.cycleMs))} ms, reads alone ${fmt(results.checkerReadsMedianMs)} ms   (target < 50 ms)`,
    );
    return results;
  } finally {
    await browser.close();
    await host.stop();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function pickerPart(): Promise<Record<string, unknown>> {
  const host = await startHost();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    console.log(
      `\nSession picker benchmark (1 and ${PICKER_SESSIONS} sessions, ${PICKER_OPENS} opens each)`,
    );
    const { one, many, createMs } = await measurePicker(
      page,
      host.url,
      PICKER_SESSIONS,
      PICKER_OPENS,
    );
    const painted = (run: PickerCase) => median(run.opens.map((open) => open.paintedMs));
    const ratio = painted(many) / painted(one);
    const results = {
      sessions: PICKER_SESSIONS,
      opens: PICKER_OPENS,
      oneMedianMs: painted(one),
      manyMedianMs: painted(many),
      ratio,
      targetMet: painted(many) < 50,
      createMs,
      one,
      many,
    };
    const line = (run: PickerCase) => {
      const part = (key: 'dialogMs' | 'rowsMs' | 'peeksMs') =>
        fmt(median(run.opens.map((open) => open[key])));
      const empty = Math.max(...run.opens.map((open) => open.emptyPeeks));
      return (
        `median ${fmt(painted(run))} ms, max ${fmt(Math.max(...run.opens.map((open) => open.paintedMs)))} ms (first ${fmt(run.cold.paintedMs)}); ` +
        `popup at ${part('dialogMs')}, rows at ${part('rowsMs')}, peeks at ${part('peeksMs')}; peekSessions alone ${fmt(median(run.peekRoundTripMs))} ms` +
        (empty > 0 ? `; ${empty} rows without a peek` : '')
      );
    };
    console.log(`  (${PICKER_SESSIONS - 1} sessions created in ${fmt(createMs / 1000)} s)`);
    console.log(`  open picker, 1 session            ${line(one)}`);
    console.log(`  open picker, ${PICKER_SESSIONS} sessions         ${line(many)}`);
    console.log(
      `  ratio ${PICKER_SESSIONS}/1                         ${fmt(ratio)}; ${PICKER_SESSIONS} sessions ${fmt(painted(many))} ms   (target < 50 ms — ${results.targetMet ? 'met' : 'not met'})`,
    );
    return results;
  } finally {
    await browser.close();
    await host.stop();
  }
}

async function sshPart(): Promise<Record<string, unknown>> {
  const { work, file, streamBytes, mib } = benchFile(MEGABYTES);
  // Stopped newest first, whichever of them started.
  const cleanups = new Cleanups();
  try {
    const sshd = cleanups.add(await startTestSshd());
    // Tether reads ~/.ssh/config from its HOME, and logs in with the key file, not an agent.
    // Plain SSH shells, as before sessions went to the host's tmux (that is the ssh-tmux part).
    const host = cleanups.add(
      await startHost({
        env: { HOME: sshd.home, SSH_AUTH_SOCK: undefined, TETHER_SSH_BACKEND: 'plain' },
      }),
    );
    const browser = cleanups.add(
      await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS }),
    );
    const page = await browser.newPage({ viewport: VIEWPORT });
    const ssh = await openSshBlock(page, host.url, SSH_ALIAS);
    console.log(
      `\nSSH benchmark, plain shells (${fmt(mib)} MiB, ${ROUNDS} rounds, ${ssh.cols}×${ssh.rows}, ${ssh.renderer})`,
    );
    const tether: number[] = [];
    const openssh: number[] = [];
    const ratios: number[] = [];
    const connectMs: number[] = [];
    let rssDuringCat = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const rss = rssGrowth(host.pid);
      const tetherMs = await measureCat(page, file, streamBytes, ssh.blockId);
      rssDuringCat = Math.max(rssDuringCat, rss.stop());
      const baseline = await measureOpenSshCat(browser, {
        options: ssh.options,
        webgl: ssh.renderer === 'webgl',
        viewport: VIEWPORT,
        size: { cols: ssh.cols, rows: ssh.rows },
        configPath: sshd.clientConfigPath,
        home: sshd.home,
        alias: SSH_ALIAS,
        file,
        streamBytes,
      });
      tether.push(mib / (tetherMs / 1000));
      openssh.push(mib / (baseline.ms / 1000));
      connectMs.push(baseline.connectMs);
      ratios.push(tether.at(-1)! / openssh.at(-1)!);
      console.log(
        `  round ${round}: Tether ${fmt(tether.at(-1)!)} MiB/s, OpenSSH ${fmt(openssh.at(-1)!)} MiB/s, ratio ${fmt(ratios.at(-1)!)}`,
      );
    }
    const results = {
      megabytes: MEGABYTES,
      rounds: ROUNDS,
      renderer: ssh.renderer,
      size: { cols: ssh.cols, rows: ssh.rows },
      tetherMiBps: tether,
      opensshMiBps: openssh,
      ratios,
      medianRatio: median(ratios),
      ratioOfBest: Math.max(...tether) / Math.max(...openssh),
      opensshConnectMs: connectMs,
      rssGrowthDuringCatMB: rssDuringCat,
    };
    console.log(`  (a) cat through a Tether SSH block, median   ${fmt(median(tether))} MiB/s`);
    console.log(`  (b) ssh -tt cat into bare xterm.js, median   ${fmt(median(openssh))} MiB/s`);
    console.log(
      `  ratio a/b                                    ${fmt(results.medianRatio)} median of rounds, ${fmt(results.ratioOfBest)} of bests   (target ≥ 0.8)`,
    );
    console.log(
      `  (b)'s connect (spawn → first byte, untimed)  median ${fmt(median(connectMs))} ms`,
    );
    console.log(`  host RSS growth during cat                   ${fmt(rssDuringCat)} MB`);
    return results;
  } finally {
    await cleanups.run();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function tmuxPart(): Promise<Record<string, unknown>> {
  const { work, file, content, streamBytes, mib } = benchFile(MEGABYTES);
  const sessions = RESTORE_TABS * RESTORE_PER_TAB;
  // Stopped newest first, whichever of them started; each host takes its tmux server with it.
  const cleanups = new Cleanups();
  try {
    const browser = cleanups.add(
      await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS }),
    );
    console.log(
      `\ntmux benchmark (${fmt(mib)} MiB, ${ROUNDS} rounds; ${sessions} sessions of ${RESTORE_LINES} lines, ${RESTARTS} restarts)`,
    );
    type Arm = BlockPage & {
      name: 'tmux' | 'pty';
      backend: Awaited<ReturnType<typeof startBackendHost>>;
      MiBps: number[];
      cpu: CpuSplit[];
      /** Bytes the block parsed per round, of the stream's `streamBytes`. */
      parsedBytes: number[];
      echo: { parsedMs: number; paintedMs: number }[];
    };
    const arms: Arm[] = [];
    for (const name of ['tmux', 'pty'] as const) {
      const backend = cleanups.add(await startBackendHost(name));
      const opened = await openBlockPage(browser, backend.host.url, VIEWPORT);
      arms.push({ name, backend, ...opened, MiBps: [], cpu: [], parsedBytes: [], echo: [] });
    }
    const [onTmux, onPty] = arms as [Arm, Arm];

    for (let sample = 0; sample < IDLE_ECHO_SAMPLES; sample++) {
      for (const arm of inTurn(arms, sample)) {
        await arm.page.bringToFront();
        arm.echo.push(await measureIdleEcho(arm.page, arm.blockId));
      }
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const arm of inTurn(arms, round)) {
        await arm.page.bringToFront();
        const cpu = await cpuAccount(arm.backend, arm.busy);
        const before = await parsed(arm.page, arm.blockId);
        // Done when the file's last line is on screen: tmux skips what a lagging page missed.
        const ms = await measureCat(arm.page, file, streamBytes, arm.blockId, content.lastLine);
        arm.cpu.push(await cpu.stop());
        arm.parsedBytes.push((await parsed(arm.page, arm.blockId)) - before);
        arm.MiBps.push(mib / (ms / 1000));
      }
      const [t, p] = [onTmux.cpu.at(-1)!, onPty.cpu.at(-1)!];
      console.log(
        `  round ${round}: tmux ${fmt(onTmux.MiBps.at(-1)!)} MiB/s, pty ${fmt(onPty.MiBps.at(-1)!)} MiB/s, ratio ${fmt(onTmux.MiBps.at(-1)! / onPty.MiBps.at(-1)!)}; ` +
          `tmux's page parsed ${fmt((100 * onTmux.parsedBytes.at(-1)!) / streamBytes)}% of the stream, pty's ${fmt((100 * onPty.parsedBytes.at(-1)!) / streamBytes)}%; ` +
          `CPU-s tmux server ${fmt(t.tmuxServerS)}, its client ${fmt(t.tmuxClientsS)}, host ${fmt(t.hostS)} vs ${fmt(p.hostS)}, page ${fmt(t.pageS)} vs ${fmt(p.pageS)}`,
      );
    }
    for (const arm of arms) await arm.backend.stop();

    // Restart-to-live: each arm is a host with its page; the restarts alternate between them.
    const script = writeFillScript(work, RESTORE_LINES);
    const restartArms = [
      { name: `${sessions} tmux`, backend: 'tmux', tabs: RESTORE_TABS, perTab: RESTORE_PER_TAB },
      { name: '1 tmux', backend: 'tmux', tabs: 1, perTab: 1 },
      { name: '1 pty', backend: 'pty', tabs: 1, perTab: 1 },
    ] as const;
    type Restarting = (typeof restartArms)[number] & {
      host: Awaited<ReturnType<typeof startBackendHost>>;
      page: Page;
      tags: Map<string, string>;
      runs: RestartTiming[];
      lastLines: number[];
    };
    const restarting: Restarting[] = [];
    for (const arm of restartArms) {
      const backend = cleanups.add(await startBackendHost(arm.backend));
      const page = await browser.newPage({ viewport: VIEWPORT });
      const tags = await buildFilledWorkspace(page, backend.host.url, {
        tabCount: arm.tabs,
        perTab: arm.perTab,
        script,
        lines: RESTORE_LINES,
      });
      // tmux: a block shows its restored output; pty: its block says the shell ended.
      await stampPaintedBlocks(
        page,
        arm.backend === 'tmux' ? { rows: 'line \\d+ ✓' } : { status: 'Tether restarted' },
      );
      restarting.push({ ...arm, host: backend, page, tags, runs: [], lastLines: [] });
    }
    for (let restart = 1; restart <= RESTARTS; restart++) {
      const parts: string[] = [];
      for (const arm of inTurn(restarting, restart)) {
        await arm.page.bringToFront();
        const run = await measureRestart(arm.page, arm.host);
        arm.runs.push(run);
        let shown = '';
        if (arm.backend === 'tmux') {
          const restored = await restoredBlocks(arm.page, arm.tags, RESTORE_LINES);
          arm.lastLines.push(restored.withLastLine);
          shown = `, ${restored.withLastLine}/${restored.blocks} with their last line`;
        } else {
          // A live shell again, for the next stop to end.
          const [id] = arm.tags.keys();
          await block(arm.page, id!).getByRole('button', { name: 'Restart' }).click();
          await expectPrompt(arm.page, id!);
        }
        parts.push(
          `${arm.name} ${fmt(run.firstBlockMs / 1000)} s (host ready ${fmt(run.hostReadyMs / 1000)}, page loaded ${fmt(run.pageLoadedMs / 1000)}, terminal in DOM ${fmt(run.mountedMs / 1000)}, tab ${fmt(run.activeTabMs / 1000)}; host CPU ${fmt(run.hostCpuS)} s${arm.backend === 'tmux' ? `, tmux server ${fmt(run.tmuxServerCpuS)} s` : ''}${shown})`,
        );
      }
      console.log(`  restart ${restart}: ${parts.join('; ')}`);
    }

    const echoMedian = (arm: Arm, key: 'parsedMs' | 'paintedMs') =>
      median(arm.echo.map((sample) => sample[key]));
    const echoMin = (arm: Arm) => Math.min(...arm.echo.map((sample) => sample.parsedMs));
    const cpuMedian = (arm: Arm, key: keyof CpuSplit) => median(arm.cpu.map((cpu) => cpu[key]));
    const firstBlock = (index: number) =>
      median(restarting[index]!.runs.map((run) => run.firstBlockMs));
    const throughputRatio = median(onTmux.MiBps) / median(onPty.MiBps);
    const echoRatio = echoMedian(onTmux, 'parsedMs') / echoMedian(onPty, 'parsedMs');
    const restartMs = firstBlock(0);
    const results = {
      megabytes: MEGABYTES,
      rounds: ROUNDS,
      tmuxMiBps: onTmux.MiBps,
      ptyMiBps: onPty.MiBps,
      throughputRatio,
      streamBytes,
      tmuxParsedBytes: onTmux.parsedBytes,
      ptyParsedBytes: onPty.parsedBytes,
      tmuxCpu: onTmux.cpu,
      ptyCpu: onPty.cpu,
      tmuxEcho: onTmux.echo,
      ptyEcho: onPty.echo,
      echoRatio,
      restarts: restarting.map((arm) => ({
        name: arm.name,
        runs: arm.runs,
        lastLines: arm.lastLines,
      })),
      restartFirstBlockMedianMs: restartMs,
      restartRatioToPty: restartMs / firstBlock(2),
    };
    const met = (ok: boolean) => (ok ? 'met' : 'not met');
    console.log(
      `  (a) cat, tmux / pty                ${fmt(throughputRatio)} ratio of medians (${fmt(median(onTmux.MiBps))} vs ${fmt(median(onPty.MiBps))} MiB/s)   (target ≥ 0.7 — ${met(throughputRatio >= 0.7)})`,
    );
    console.log(
      `      CPU-s per round, medians        tmux server ${fmt(cpuMedian(onTmux, 'tmuxServerS'))}, its client ${fmt(cpuMedian(onTmux, 'tmuxClientsS'))}; host ${fmt(cpuMedian(onTmux, 'hostS'))} vs ${fmt(cpuMedian(onPty, 'hostS'))}; page main thread ${fmt(cpuMedian(onTmux, 'pageS'))} vs ${fmt(cpuMedian(onPty, 'pageS'))}`,
    );
    console.log(
      `  (b) keystroke → echo, idle         tmux median ${fmt(echoMedian(onTmux, 'parsedMs'))} ms (min ${fmt(echoMin(onTmux))}), pty ${fmt(echoMedian(onPty, 'parsedMs'))} ms (min ${fmt(echoMin(onPty))}), ratio ${fmt(echoRatio)}; painted ${fmt(echoMedian(onTmux, 'paintedMs'))} vs ${fmt(echoMedian(onPty, 'paintedMs'))} ms   (target ≤ 1.2 — ${met(echoRatio <= 1.2)})`,
    );
    console.log(
      `  (c) restart → first restored block, ${sessions} tmux sessions   median ${fmt(restartMs / 1000)} s; 1 tmux session ${fmt(firstBlock(1) / 1000)} s; 1 pty session ${fmt(firstBlock(2) / 1000)} s; ratio to pty ${fmt(results.restartRatioToPty)}   (target < 2 s — ${met(restartMs < 2000)})`,
    );
    return results;
  } finally {
    await cleanups.run();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  const runs = (part: string) => ONLY === undefined || ONLY === part;
  // Every host talks to a tmux server of this run's own, never a person's; the parts
  // before tmux measured pty shells and still do, unless TETHER_LOCAL_BACKEND says otherwise.
  const tmux = await startTestTmux();
  process.env.TMUX_TMPDIR = tmux.tmpdir;
  process.env.TETHER_LOCAL_BACKEND ??= 'pty';
  try {
    if (runs('throughput')) results.throughput = await throughput();
    if (runs('workspace')) results.workspace = await workspace();
    if (runs('sessions')) results.sessions = await sessions();
    if (runs('picker')) results.picker = await pickerPart();
    if (runs('ssh')) results.ssh = await sshPart();
    if (runs('tmux')) results.tmux = await tmuxPart();
    if (runs('ssh-tmux')) results.sshTmux = await sshTmuxPart();
  } finally {
    await tmux.dispose();
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
