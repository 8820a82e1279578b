import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestTmux } from '../main/testing/test-tmux';
import {
  compareViews,
  isFloodLogLine,
  judgeSnapshot,
  referenceViews,
  type TermView,
} from './soak-check';

const work = mkdtempSync(join(tmpdir(), 'soak-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const script = join(import.meta.dirname, 'soak-flood.mjs');

/** Runs the generator into a pipe (80x24 then); returns all it wrote and what it recorded. */
function flood(seed: number, lines: number, ring: number) {
  const out = join(work, `flood-${seed}-${lines}.bin`);
  const args = ['--seed', seed, '--lines', lines, '--ring', ring, '--out', out].map(String);
  const run = spawnSync(process.execPath, [script, ...args], { maxBuffer: 1 << 30 });
  expect(run.status).toBe(0);
  const meta = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { marker: string; bytes: number };
  return { stdout: run.stdout, recorded: readFileSync(out), meta };
}

describe('soak-flood.mjs', () => {
  it('is the same flood for the same seed', () => {
    expect(flood(3, 500, 1 << 20).stdout.equals(flood(3, 500, 1 << 20).stdout)).toBe(true);
    expect(flood(4, 500, 1 << 20).stdout.equals(flood(3, 500, 1 << 20).stdout)).toBe(false);
  });

  it('records a tail that leaves the same screen and last lines as the whole flood', async () => {
    const { stdout, recorded, meta } = flood(7, 30_000, 1 << 20);
    expect(meta.bytes).toBe(stdout.length);
    expect(recorded.length).toBeLessThan(1 << 20);
    expect(recorded.length).toBeGreaterThan((1 << 20) - 4096);
    expect(stdout.subarray(stdout.length - recorded.length).equals(recorded)).toBe(true);
    const { direct: whole } = await referenceViews(stdout, 80, 24, 1000);
    const { direct: fromTail } = await referenceViews(recorded, 80, 24, 1000);
    expect(fromTail.screen).toEqual(whole.screen);
    expect(fromTail.lines).toEqual(whole.lines);
    expect(compareViews(fromTail, whole, meta.marker, 1000)).toEqual([]);
    // Sanity: the flood really wraps, colours and writes wide characters.
    expect(whole.lines.some((line) => /[\u4e00-\u9fff]/.test(line))).toBe(true);
  }, 60_000);

  it('ends with the same text in tmux, in xterm, and through xterm serialisation', async () => {
    const tmux = await startTestTmux();
    try {
      const out = join(work, 'in-tmux.bin');
      const args = `--seed 5 --lines 20000 --ring ${1 << 20} --out '${out}'`;
      const command = `'${process.execPath}' '${script}' ${args}; sleep 60`;
      await tmux.run(['new-session', '-d', '-x', '34', '-y', '19', '-s', 'flood', command]);
      await expect.poll(() => existsSync(`${out}.json`), { timeout: 30_000 }).toBe(true);
      const meta = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { marker: string };
      await expect
        .poll(() => tmux.run(['capture-pane', '-p', '-t', 'flood']), { timeout: 10_000 })
        .toContain(meta.marker);
      const captured = (await tmux.run(['capture-pane', '-p', '-S', '-400', '-t', 'flood']))
        .replace(/\n$/, '')
        .split('\n');
      const inTmux = { cols: 34, rows: 19, screen: captured.slice(-19), lines: captured };
      const { direct, roundTrip } = await referenceViews(readFileSync(out), 34, 19, 1000);
      expect(compareViews(inTmux, direct, meta.marker, 300)).toEqual([]);
      expect(compareViews(roundTrip, direct, meta.marker, 300)).toEqual([]);
    } finally {
      await tmux.dispose();
    }
  }, 60_000);
});

describe('compareViews', () => {
  const marker = '=== done ===';
  const view = (screen: string[], history: string[] = []): TermView => ({
    cols: 20,
    rows: screen.length,
    screen,
    lines: [...history, ...screen],
  });
  const reference = view(['c', 'd', marker, ''], ['a', 'b']);

  it('agrees up to the marker, whatever the shell printed after it', () => {
    expect(compareViews(view(['c', 'd', marker, '$'], ['a', 'b']), reference, marker, 5)).toEqual(
      [],
    );
  });

  it('names the first differing row with both texts', () => {
    const problems = compareViews(view(['c', 'x', marker, '$'], ['a', 'b']), reference, marker, 5);
    expect(problems[0]).toBe('screen row 1: got "x", want "d"');
    expect(problems[1]).toBe('line 1 above the marker: got "x", want "d"');
  });

  it('reports a missing marker, lost scrollback and a different size', () => {
    expect(compareViews(view(['c', 'd', 'e', '$']), reference, marker, 5)[0]).toMatch(
      /marker is not on screen/,
    );
    const short = compareViews(view(['c', 'd', marker, '$'], ['b']), reference, marker, 5);
    expect(short).toEqual(['only 4 of the last 5 lines are there']);
    const wide = { ...view(['c', 'd', marker, '$'], ['a', 'b']), cols: 30 };
    expect(compareViews(wide, reference, marker, 5)).toEqual([
      'size 30x4, but the flood ran at 20x4',
    ]);
  });
});

describe('judgeSnapshot', () => {
  const flood = { cols: 12, rows: 4, marker: 'END' };
  const bytes = Buffer.from(
    Array.from({ length: 30 }, (_, i) => `\x1b[3${i % 8}m${i} wraps at twelve\x1b[0m\r\n`).join(
      '',
    ) + 'END\r\n',
  );

  it('round-trips plain wrapped colour through the serializer unchanged', async () => {
    const { direct, roundTrip } = await referenceViews(bytes, flood.cols, flood.rows, 100);
    expect(roundTrip).toEqual(direct);
    expect(direct.lines.join('\n')).toContain('29 wraps at \ntwelve\nEND');
  });

  it('is equal for the same text, and differs for a changed row', async () => {
    const { direct } = await referenceViews(bytes, flood.cols, flood.rows, 100);
    expect((await judgeSnapshot(direct, bytes, flood, 20)).verdict).toBe('equal');
    const changed = { ...direct, lines: direct.lines.map((line) => line.replace('27', '72')) };
    const judged = await judgeSnapshot(changed, bytes, flood, 20);
    expect(judged.verdict).toBe('differs');
    expect(judged.problems).toEqual([
      'line 6 above the marker: got "72 wraps at", want "27 wraps at"',
    ]);
  });
});

describe('isFloodLogLine', () => {
  it('counts back-pressure chatter, not other logs', () => {
    const drop =
      'tether error the session mirror worker failed; it was restarted {"error":"session mirror \'a\' fell behind; dropped 4194304 bytes"}';
    expect(isFloodLogLine(drop)).toBe(true);
    expect(isFloodLogLine('tether info output paused for session 3')).toBe(true);
    expect(isFloodLogLine('tether info session 3 started')).toBe(false);
  });
});
