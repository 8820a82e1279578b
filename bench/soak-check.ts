/**
 * The soak's judging, apart from its driving (bench/soak.ts): a reference
 * terminal fed what a flood generator recorded, the comparison of a Tether
 * block's text against it, the log lines that count as back-pressure chatter,
 * and the PASS/FAIL verdicts.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '../main/sessions/mirror/headless-terminal';

/** A terminal's text as the renderer's test seam reads it: rows, one string each. */
export type TermView = {
  cols: number;
  rows: number;
  /** The visible rows, top to bottom. */
  screen: string[];
  /** The last rows of scrollback and screen together, oldest first. */
  lines: string[];
};

/**
 * What a headless xterm of this size shows after `data` (`direct`), and what a
 * fresh one shows after that terminal's serialisation (`roundTrip`): how the
 * core's snapshot, made by the same addon, looks when nothing was lost.
 * `lines` keeps the last `keep` rows.
 */
export async function referenceViews(
  data: Uint8Array | string,
  cols: number,
  rows: number,
  keep: number,
): Promise<{ direct: TermView; roundTrip: TermView }> {
  const terminal = new Terminal({ cols, rows, scrollback: keep, allowProposedApi: true });
  const replayed = new Terminal({ cols, rows, scrollback: keep, allowProposedApi: true });
  try {
    const serializer = new SerializeAddon();
    terminal.loadAddon(serializer);
    await new Promise<void>((resolve) => terminal.write(data, resolve));
    await new Promise<void>((resolve) => replayed.write(serializer.serialize(), resolve));
    return { direct: view(terminal, keep), roundTrip: view(replayed, keep) };
  } finally {
    terminal.dispose();
    replayed.dispose();
  }
}

function view(terminal: Terminal, keep: number): TermView {
  const { cols, rows } = terminal;
  const buffer = terminal.buffer.active;
  const row = (y: number) => buffer.getLine(y)?.translateToString(true) ?? '';
  const screen = Array.from({ length: rows }, (_, y) => row(buffer.viewportY + y));
  const from = Math.max(0, buffer.length - keep);
  const lines = Array.from({ length: buffer.length - from }, (_, y) => row(from + y));
  return { cols, rows, screen, lines };
}

const shown = (text: string | undefined) => JSON.stringify(text ?? '(none)');

/**
 * How `actual` (a Tether block) differs from `expected` (the reference), both
 * read after the generator's `marker` line. Rows after the marker are the
 * shell's (its prompt), which the reference never saw, so both are compared up
 * to the marker: the screen row by row, and the last `tail` lines, each with
 * trailing spaces trimmed. Empty when
 * they agree; otherwise the first difference of each kind, with both texts.
 */
export function compareViews(
  actual: TermView,
  expected: TermView,
  marker: string,
  tail: number,
): string[] {
  // xterm trims only cells never written; a repaint may write the spaces a flood erased.
  const trim = (view: TermView): TermView => ({
    ...view,
    screen: view.screen.map((row) => row.trimEnd()),
    lines: view.lines.map((line) => line.trimEnd()),
  });
  [actual, expected] = [trim(actual), trim(expected)];
  const problems: string[] = [];
  if (actual.cols !== expected.cols || actual.rows !== expected.rows) {
    problems.push(
      `size ${actual.cols}x${actual.rows}, but the flood ran at ${expected.cols}x${expected.rows}`,
    );
  }
  const markerRow = (view: TermView) => view.screen.findLastIndex((row) => row.includes(marker));
  const [actualRow, expectedRow] = [markerRow(actual), markerRow(expected)];
  if (actualRow < 0) {
    problems.push(`the marker is not on screen; screen ends ${shown(actual.screen.at(-1))}`);
  } else if (actualRow !== expectedRow) {
    problems.push(`the marker is on screen row ${actualRow}, expected row ${expectedRow}`);
  } else {
    const row = actual.screen.findIndex((text, y) => y <= actualRow && text !== expected.screen[y]);
    if (row >= 0) {
      problems.push(
        `screen row ${row}: got ${shown(actual.screen[row])}, want ${shown(expected.screen[row])}`,
      );
    }
  }
  const upToMarker = (view: TermView) => {
    const end = view.lines.findLastIndex((line) => line.includes(marker));
    return end < 0 ? [] : view.lines.slice(Math.max(0, end + 1 - tail), end + 1);
  };
  const [actualTail, expectedTail] = [upToMarker(actual), upToMarker(expected)];
  if (actualRow >= 0 && actualTail.length < expectedTail.length) {
    problems.push(`only ${actualTail.length} of the last ${expectedTail.length} lines are there`);
  }
  const count = Math.min(actualTail.length, expectedTail.length);
  for (let back = 1; back <= count; back++) {
    const [got, want] = [actualTail.at(-back), expectedTail.at(-back)];
    if (got !== want) {
      problems.push(`line ${back - 1} above the marker: got ${shown(got)}, want ${shown(want)}`);
      break;
    }
  }
  return problems;
}

export type SnapshotVerdict = {
  /** 'serializer': it differs only as the reference's own round trip through the addon does. */
  verdict: 'equal' | 'serializer' | 'differs';
  /** How it differs from the reference (empty when equal). */
  problems: string[];
};

/** A block's view after a flood against the reference fed the generator's recorded tail. */
export async function judgeSnapshot(
  actual: TermView,
  recorded: Uint8Array,
  flood: { cols: number; rows: number; marker: string },
  tail: number,
): Promise<SnapshotVerdict & { expected: TermView }> {
  const { direct, roundTrip } = await referenceViews(recorded, flood.cols, flood.rows, 1000);
  const problems = compareViews(actual, direct, flood.marker, tail);
  const verdict =
    problems.length === 0
      ? 'equal'
      : compareViews(actual, roundTrip, flood.marker, tail).length === 0
        ? 'serializer'
        : 'differs';
  return { verdict, problems, expected: direct };
}

/** Log lines about output outrunning its reader: a mirror behind, bytes dropped, flow paused. */
export function isFloodLogLine(line: string): boolean {
  return /mirror|behind|dropped|pressure|deferred|paused/i.test(line);
}

export type Rule = { name: string; pass: boolean; detail: string };

/** One line per rule, then the verdict. */
export function report(rules: Rule[]): string {
  const lines = rules.map((rule) => `${rule.pass ? 'PASS' : 'FAIL'}  ${rule.name}: ${rule.detail}`);
  const failed = rules.filter((rule) => !rule.pass).length;
  lines.push(failed === 0 ? 'soak: PASS' : `soak: FAIL (${failed} of ${rules.length} rules)`);
  return lines.join('\n');
}
