/**
 * The session picker in a live Tether page: from the click on a block's
 * session indicator until the popup is painted with its rows (those in view:
 * the list is windowed, and its options say how many sessions it holds) and
 * every rendered row's peek filled in. First with the one
 * session a fresh workspace has (the baseline), then, in the same page, after
 * a second client has created the rest of `sessions`; each case is opened
 * several times, closed with Escape in between. Also timed: one
 * `peekSessions` round trip on a socket of its own, the request the picker
 * waits for.
 */
import type { Page } from '@playwright/test';
import { requestAsOtherWindow } from '../e2e/fixtures/other-window';
import { picker } from '../e2e/fixtures/picker';
import { expectBlockCount, expectPrompt } from '../e2e/fixtures/workspace';
import { expect } from '../e2e/fixtures/terminal';

/** What the picker asks for (renderer/sessions/picker/use-peeks.ts, PEEK_LINES). */
const PEEK_LINES = 3;
/** Sessions created at once by the second client. */
const CREATE_CONCURRENCY = 4;

/** One opening, in ms after the click: the popup, its rows, their peeks in the DOM; painted. */
export type PickerOpen = {
  dialogMs: number;
  rowsMs: number;
  peeksMs: number;
  paintedMs: number;
  /** Rows whose peek came back empty ("(no output)"): the core gave up waiting for a mirror. */
  emptyPeeks: number;
};

export type PickerCase = {
  sessions: number;
  /** The first opening of the case, which the medians leave out. */
  cold: PickerOpen;
  opens: PickerOpen[];
  /** `peekSessions` for the connection alone, round trip on a second socket. */
  peekRoundTripMs: number[];
};

export type PickerResult = { one: PickerCase; many: PickerCase; createMs: number };

/** Open the picker from the indicator and time it until painted complete; then close it. */
async function openOnce(page: Page, blockId: string, sessions: number): Promise<PickerOpen> {
  const open = await page.evaluate(
    async ({ id, count }) => {
      const button = document.querySelector<HTMLButtonElement>(
        `[data-block-id="${id}"] button[aria-label="Session"]`,
      )!;
      // A method, not a named function: the bundler would wrap that in a helper the page lacks.
      const marks = {
        start: 0,
        dialog: -1,
        rows: -1,
        peeks: -1,
        /** Is the popup there with every row and every peek? Records when each got there. */
        complete(): boolean {
          const dialog = document.querySelector('[role="dialog"][aria-label="Sessions on local"]');
          if (!dialog) return false;
          if (this.dialog < 0) this.dialog = performance.now() - this.start;
          if (!dialog.checkVisibility()) return false;
          // The list renders the rows in view (list-window.ts), each saying how long the list is.
          const option = dialog.querySelector('[role="listbox"] [role="option"]');
          if (count > 0 && option?.getAttribute('aria-setsize') !== String(count)) return false;
          if (this.rows < 0) this.rows = performance.now() - this.start;
          if (dialog.querySelector('.picker-peek.pending')) return false;
          if (this.peeks < 0) this.peeks = performance.now() - this.start;
          return true;
        },
      };
      // Mutation callbacks run right after each React commit: when the DOM got there.
      const observer = new MutationObserver(() => void marks.complete());
      observer.observe(document.body, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ['class'],
      });
      // Start on a frame boundary, as the other page measurements do.
      await new Promise(requestAnimationFrame);
      marks.start = performance.now();
      button.click();
      // The first frame in which it is complete paints it; the next one starts after that paint.
      while (!marks.complete()) await new Promise(requestAnimationFrame);
      await new Promise(requestAnimationFrame);
      const paintedMs = performance.now() - marks.start;
      observer.disconnect();
      const emptyPeeks = document.querySelectorAll('.session-picker .picker-peek.empty').length;
      return {
        dialogMs: marks.dialog,
        rowsMs: marks.rows,
        peeksMs: marks.peeks,
        paintedMs,
        emptyPeeks,
      };
    },
    { id: blockId, count: sessions },
  );
  await page.keyboard.press('Escape');
  await expect(picker(page)).toHaveCount(0);
  // Let the page settle (the closed picker's last peek reply, if any, lands on nothing).
  await page.waitForTimeout(150);
  return open;
}

/** `peekSessions` round trips on one socket of a second client, as JSON text. */
function peekRoundTrips(page: Page, rounds: number): Promise<number[]> {
  return page.evaluate(
    ({ rounds, lines }) =>
      new Promise<number[]>((resolve, reject) => {
        const socket = new WebSocket(`ws://${location.host}/ws`);
        const times: number[] = [];
        let sentAt = 0;
        socket.addEventListener('open', () => {
          sentAt = performance.now();
          socket.send(
            JSON.stringify({
              t: 'req',
              id: 0,
              name: 'peekSessions',
              payload: { connection: 'local', lines },
            }),
          );
        });
        socket.addEventListener('message', (message) => {
          if (typeof message.data !== 'string') return;
          const parsed = JSON.parse(message.data) as { t: string; id?: number; ok?: boolean };
          if (parsed.t !== 'res' || parsed.id !== times.length) return;
          if (!parsed.ok) {
            socket.close();
            reject(new Error(`peekSessions failed: ${message.data}`));
            return;
          }
          times.push(performance.now() - sentAt);
          if (times.length === rounds) {
            socket.close();
            resolve(times);
            return;
          }
          sentAt = performance.now();
          socket.send(
            JSON.stringify({
              t: 'req',
              id: times.length,
              name: 'peekSessions',
              payload: { connection: 'local', lines },
            }),
          );
        });
        socket.addEventListener('error', () => reject(new Error('socket to the host failed')));
      }),
    { rounds, lines: PEEK_LINES },
  );
}

async function measureCase(
  page: Page,
  blockId: string,
  sessions: number,
  opens: number,
): Promise<PickerCase> {
  const cold = await openOnce(page, blockId, sessions);
  const warm: PickerOpen[] = [];
  for (let i = 0; i < opens; i++) warm.push(await openOnce(page, blockId, sessions));
  return { sessions, cold, opens: warm, peekRoundTripMs: await peekRoundTrips(page, opens) };
}

/** Until every session on the connection has printed its prompt, so no peek is empty. */
async function waitForPrompts(page: Page, sessions: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const listed = await requestAsOtherWindow(page, 'peekSessions', {
          connection: 'local',
          lines: PEEK_LINES,
        });
        return listed.filter((session) => session.peek.length > 0).length;
      },
      { timeout: 120_000, intervals: [250, 500, 1000] },
    )
    .toBe(sessions);
}

/**
 * The picker with 1 session, then with `sessions`: `opens` timed openings each
 * after one cold one. The second client creates the other sessions between the
 * two cases; nothing shows them, and each has its shell's prompt to peek at.
 */
export async function measurePicker(
  page: Page,
  url: string,
  sessions: number,
  opens: number,
): Promise<PickerResult> {
  await page.goto(url);
  const [first] = await expectBlockCount(page, 1);
  await expectPrompt(page, first!);
  await waitForPrompts(page, 1);
  const one = await measureCase(page, first!, 1, opens);

  const started = performance.now();
  let created = 1;
  while (created < sessions) {
    const batch = Math.min(CREATE_CONCURRENCY, sessions - created);
    await Promise.all(
      Array.from({ length: batch }, () =>
        requestAsOtherWindow(page, 'createSession', { connection: 'local' }),
      ),
    );
    created += batch;
  }
  await waitForPrompts(page, sessions);
  const createMs = performance.now() - started;
  // Events have told the page about every new session; let it settle before timing.
  await page.waitForTimeout(1000);
  const many = await measureCase(page, first!, sessions, opens);
  return { one, many, createMs };
}
