/**
 * `TETHER_BENCH_ONLY=ssh-tmux npm run bench`: SSH sessions on the host's tmux
 * (durable, the default) against plain SSH shells and OpenSSH, on one test
 * sshd on 127.0.0.1 whose host side has tmux (a TMUX_TMPDIR of its own).
 *
 * (a) `cat` of the benchmark file in a Tether block on `testhost` through the
 *     host's tmux (control mode), against OpenSSH's `ssh -tt testhost cat
 *     file` into a bare xterm.js, and against a Tether block on a plain SSH
 *     shell (a second host with TETHER_SSH_BACKEND=plain); alternating rounds.
 *     The Tether arms stop when the file's last line is on screen (tmux skips
 *     what a lagging page missed and repaints), OpenSSH when every byte is
 *     parsed. CPU per round: the host's tmux server, the sshd side (sshd and
 *     its children: the tmux control clients, or the plain shell), Tether's
 *     host process and its page's main thread.
 * (b) resume after a cut link (ssh-resume.ts), at a core's client.
 * (c) keystroke → echo at an idle prompt, tmux block against plain block.
 */
import { chromium, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { startHost, type Host } from '../e2e/fixtures/host';
import { Cleanups } from '../main/testing/ssh/cleanups';
import { startTestSshd, type TestSshd } from '../main/testing/ssh/test-sshd';
import { CHROMIUM_ARGS, chromiumPath } from '../playwright.config';
import { benchFile } from './content';
import { measureOpenSshCat } from './openssh-baseline';
import { openSshBlock, type SshBlock } from './ssh-page';
import { measureResume, type ResumeTiming } from './ssh-resume';
import { fmt, inTurn, median } from './stats';
import { measureCat, parsed } from './tether-page';
import { cpuSeconds, measureIdleEcho, pageBusy } from './tmux-page';

const MEGABYTES = Number(process.env.TETHER_BENCH_MB ?? 100);
const ROUNDS = Number(process.env.TETHER_BENCH_ROUNDS ?? 3);
const ECHO_SAMPLES = 40;
const CUTS = Number(process.env.TETHER_BENCH_CUTS ?? 10);
const VIEWPORT = { width: 1200, height: 800 };
const ALIAS = 'testhost';

type Arm = SshBlock & {
  name: 'tmux' | 'plain';
  host: Host;
  page: Page;
  busy: { seconds(): Promise<number> };
  MiBps: number[];
  parsedShare: number[];
  cpu: CpuSplit[];
  echo: { parsedMs: number; paintedMs: number }[];
};

type CpuSplit = { tmuxServerS: number; sshdSideS: number; hostS: number; pageS: number };

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU seconds a process tree has used: every live process's own time and the time of the
 * children it has reaped (cutime, cstime), so processes that started and ended between two
 * looks (an OpenSSH session, `cat` under a plain shell) are counted through their parent.
 */
function treeSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: ppid, ..., utime (12th) to cstime.
      const fields = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
      const seconds = (fields[11]! + fields[12]! + fields[13]! + fields[14]!) / CLOCK_TICKS;
      stats.set(Number(entry), { ppid: fields[1]!, seconds });
    } catch {
      // It ended while we looked.
    }
  }
  let total = 0;
  const inTree = new Set([root]);
  // Until nothing is added: /proc's order need not put parents first.
  for (let added = true; added;) {
    added = false;
    for (const [pid, { ppid }] of stats) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        added = true;
      }
    }
  }
  for (const pid of inTree) total += stats.get(pid)?.seconds ?? 0;
  return total;
}

async function hostTmuxServerPid(sshd: TestSshd): Promise<number | null> {
  const shown = await sshd.hostTmux(['display-message', '-p', '#{pid}']);
  return shown.code === 0 ? Number(shown.stdout.trim()) || null : null;
}

/** Starts a CPU account over one round of an arm; stop() says what each part used. */
async function cpuAccount(sshd: TestSshd, arm: Arm | undefined) {
  const sshdPid = Number(readFileSync(sshd.pidFilePath, 'utf8').trim());
  const serverPid = await hostTmuxServerPid(sshd);
  const server = serverPid === null ? 0 : cpuSeconds(serverPid);
  const sshdSide = treeSeconds(sshdPid);
  const host = arm ? cpuSeconds(arm.host.pid) : 0;
  const page = arm ? await arm.busy.seconds() : 0;
  return {
    async stop(): Promise<CpuSplit> {
      const sshdSideS = treeSeconds(sshdPid) - sshdSide;
      return {
        tmuxServerS: serverPid === null ? 0 : cpuSeconds(serverPid) - server,
        sshdSideS,
        hostS: arm ? cpuSeconds(arm.host.pid) - host : 0,
        pageS: arm ? (await arm.busy.seconds()) - page : 0,
      };
    },
  };
}

export async function sshTmuxPart(): Promise<Record<string, unknown>> {
  const { work, file, content, streamBytes, mib } = benchFile(MEGABYTES);
  const cleanups = new Cleanups();
  try {
    const sshd = cleanups.add(await startTestSshd());
    const browser = cleanups.add(
      await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS }),
    );
    const arms: Arm[] = [];
    for (const name of ['tmux', 'plain'] as const) {
      // Tether reads ~/.ssh/config from its HOME and logs in with the key file, not an agent.
      const host = cleanups.add(
        await startHost({
          env: {
            HOME: sshd.home,
            SSH_AUTH_SOCK: undefined,
            TETHER_SSH_BACKEND: name === 'tmux' ? 'auto' : 'plain',
          },
        }),
      );
      const page = await browser.newPage({ viewport: VIEWPORT });
      const block = await openSshBlock(page, host.url, ALIAS);
      const busy = await pageBusy(page);
      arms.push({
        ...block,
        name,
        host,
        page,
        busy,
        MiBps: [],
        parsedShare: [],
        cpu: [],
        echo: [],
      });
    }
    const [onTmux, onPlain] = arms as [Arm, Arm];
    // The comparison is only what it says if exactly one of the two is on the host's tmux.
    const sessions = await sshd.hostTmux(['list-sessions', '-F', '#{session_id}']);
    const hostSessions = sessions.stdout.split('\n').filter(Boolean).length;
    if (hostSessions !== 1) throw new Error(`${hostSessions} tmux sessions on the host, not 1`);
    console.log(
      `\nSSH on the host's tmux benchmark (${fmt(mib)} MiB, ${ROUNDS} rounds, ${onTmux.cols}×${onTmux.rows}, ${onTmux.renderer}; ${CUTS} cuts)`,
    );

    for (let sample = 0; sample < ECHO_SAMPLES; sample++) {
      for (const arm of inTurn(arms, sample)) {
        await arm.page.bringToFront();
        arm.echo.push(await measureIdleEcho(arm.page, arm.blockId));
      }
    }

    const openssh: number[] = [];
    const opensshCpu: CpuSplit[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const arm of inTurn([onTmux, onPlain, undefined], round)) {
        const cpu = await cpuAccount(sshd, arm);
        if (arm === undefined) {
          const baseline = await measureOpenSshCat(browser, {
            options: onTmux.options,
            webgl: onTmux.renderer === 'webgl',
            viewport: VIEWPORT,
            size: { cols: onTmux.cols, rows: onTmux.rows },
            configPath: sshd.clientConfigPath,
            home: sshd.home,
            alias: ALIAS,
            file,
            streamBytes,
          });
          openssh.push(mib / (baseline.ms / 1000));
          opensshCpu.push(await cpu.stop());
          continue;
        }
        await arm.page.bringToFront();
        const before = await parsed(arm.page, arm.blockId);
        const ms = await measureCat(arm.page, file, streamBytes, arm.blockId, content.lastLine);
        arm.cpu.push(await cpu.stop());
        arm.parsedShare.push(((await parsed(arm.page, arm.blockId)) - before) / streamBytes);
        arm.MiBps.push(mib / (ms / 1000));
      }
      const [t, p, o] = [onTmux.cpu.at(-1)!, onPlain.cpu.at(-1)!, opensshCpu.at(-1)!];
      console.log(
        `  round ${round}: tmux ${fmt(onTmux.MiBps.at(-1)!)}, plain ${fmt(onPlain.MiBps.at(-1)!)}, OpenSSH ${fmt(openssh.at(-1)!)} MiB/s; ` +
          `tmux page parsed ${fmt(100 * onTmux.parsedShare.at(-1)!)}%; CPU-s tmux server ${fmt(t.tmuxServerS)}, ` +
          `sshd side ${fmt(t.sshdSideS)} / ${fmt(p.sshdSideS)} / ${fmt(o.sshdSideS)}, host ${fmt(t.hostS)} / ${fmt(p.hostS)}, page ${fmt(t.pageS)} / ${fmt(p.pageS)}`,
      );
    }
    for (const arm of arms) await arm.page.close();

    const resume = await measureResume(CUTS);
    for (const [index, cut] of resume.entries()) {
      console.log(
        `  cut ${index + 1}: outage ${cut.outageMs} ms; after letting it through: connected ${fmt(cut.connectedMs)}, running ${fmt(cut.runningMs)}, repainted ${fmt(cut.repaintedMs)} ms`,
      );
    }
    return report({ onTmux, onPlain, openssh, opensshCpu, resume });
  } finally {
    await cleanups.run();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

function report(measured: {
  onTmux: Arm;
  onPlain: Arm;
  openssh: number[];
  opensshCpu: CpuSplit[];
  resume: ResumeTiming[];
}): Record<string, unknown> {
  const { onTmux, onPlain, openssh, opensshCpu, resume } = measured;
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const ratios = onTmux.MiBps.map((tmux, round) => tmux / openssh[round]!);
  const plainRatios = onPlain.MiBps.map((plain, round) => plain / openssh[round]!);
  const cpu = (splits: CpuSplit[], key: keyof CpuSplit) => median(splits.map((each) => each[key]));
  const echo = (arm: Arm) => median(arm.echo.map((sample) => sample.parsedMs));
  const echoRatio = echo(onTmux) / echo(onPlain);
  const resumeMedian = (key: keyof ResumeTiming) => median(resume.map((cut) => cut[key]));
  const resumeAlone = resume.map((cut) => cut.resumedMs - cut.connectedMs);
  const results = {
    tmuxMiBps: onTmux.MiBps,
    plainMiBps: onPlain.MiBps,
    opensshMiBps: openssh,
    ratios,
    medianRatio: median(ratios),
    plainRatios,
    tmuxParsedShare: onTmux.parsedShare,
    tmuxCpu: onTmux.cpu,
    plainCpu: onPlain.cpu,
    opensshCpu,
    tmuxEcho: onTmux.echo,
    plainEcho: onPlain.echo,
    echoRatio,
    resume,
    resumeMedianMs: resumeMedian('resumedMs'),
    resumeAloneMedianMs: median(resumeAlone),
  };
  console.log(
    `  (a) cat, tmux / OpenSSH             ${fmt(results.medianRatio)} median of rounds (${ratios.map(fmt).join(', ')}); plain / OpenSSH ${fmt(median(plainRatios))}   (target ≥ 0.6 — ${met(results.medianRatio >= 0.6)})`,
  );
  console.log(
    `      CPU-s per round, medians         tmux server ${fmt(cpu(onTmux.cpu, 'tmuxServerS'))}; sshd side ${fmt(cpu(onTmux.cpu, 'sshdSideS'))} tmux / ${fmt(cpu(onPlain.cpu, 'sshdSideS'))} plain / ${fmt(cpu(opensshCpu, 'sshdSideS'))} OpenSSH; ` +
      `host ${fmt(cpu(onTmux.cpu, 'hostS'))} / ${fmt(cpu(onPlain.cpu, 'hostS'))}; page ${fmt(cpu(onTmux.cpu, 'pageS'))} / ${fmt(cpu(onPlain.cpu, 'pageS'))}`,
  );
  console.log(
    `  (b) resume, link let through → running and repainted   median ${fmt(results.resumeMedianMs)} ms with the default backoff (connected at ${fmt(resumeMedian('connectedMs'))}); connected → resumed ${fmt(results.resumeAloneMedianMs)} ms   (target < 2 s — ${met(results.resumeMedianMs < 2000)})`,
  );
  console.log(
    `  (c) keystroke → echo, idle          tmux median ${fmt(echo(onTmux))} ms, plain ${fmt(echo(onPlain))} ms, ratio ${fmt(echoRatio)}   (target ≤ 1.2 — ${met(echoRatio <= 1.2)})`,
  );
  return results;
}
