/**
 * Blocks show sessions, not shells: one session shared by two panes, kept
 * when a pane closes and when the page reloads, done with its exit code when
 * the shell ends, and restarted under the same id; the shell sized by the pane
 * used last; a block left without a session.
 */
import { requestAsOtherWindow } from './fixtures/other-window';
import { expect, test } from './fixtures/terminal';
import {
  block,
  blockSessionId,
  blockSize,
  blockText,
  expectBlockCount,
  expectBlockOutput,
  expectPrompt,
  layoutSaved,
  openWorkspace,
  runIn,
} from './fixtures/workspace';

test('a session opened in a new pane is shared, outlives its first pane and a reload, and restarts under its id', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  const header = block(page, first).locator('header');
  await expect(header.getByRole('img', { name: 'Session status: running' })).toBeVisible();
  await expect(header.getByRole('button', { name: 'Session', exact: true })).not.toBeEmpty();
  await runIn(page, first, 'export X=42');
  const sessionId = await blockSessionId(page, first);
  expect(sessionId).toBeTruthy();

  await header.getByRole('button', { name: 'Open in new pane' }).click();
  const [, second] = await expectBlockCount(page, 2);
  await expect.poll(() => blockSessionId(page, second!)).toBe(sessionId);
  // The new pane starts from the session's screen, not an empty one.
  await expectBlockOutput(page, second!, /export X=42/);
  await expect(
    block(page, second!).getByRole('button', { name: 'Session', exact: true }),
  ).toHaveText(await header.getByRole('button', { name: 'Session', exact: true }).innerText());

  // One shell: what is typed in either pane shows in both.
  await runIn(page, second!, 'echo $X');
  await expectBlockOutput(page, second!, /^42$/m);
  await expectBlockOutput(page, first, /^42$/m);

  // Closing a pane detaches it; the session goes on in the other.
  await block(page, first).getByRole('button', { name: 'Close block' }).click();
  await expectBlockCount(page, 1);
  await runIn(page, second!, 'echo still-$X');
  await expectBlockOutput(page, second!, /^still-42$/m);

  // A reload shows the same session, with its screen.
  await layoutSaved(page);
  await page.reload();
  const [shown] = await expectBlockCount(page, 1);
  expect(shown).toBe(second);
  await expect.poll(() => blockSessionId(page, second!)).toBe(sessionId);
  await expectBlockOutput(page, second!, /^still-42$/m);

  // The shell ends: the block says how, and nothing restarts by itself.
  await runIn(page, second!, 'exit');
  const ended = block(page, second!);
  await expect(ended).toContainText('Shell exited with code 0');
  await expect(ended.getByRole('img', { name: 'Session status: done' })).toBeVisible();
  const restart = ended.getByRole('button', { name: 'Restart' });
  await expect(restart).toBeVisible();

  // Restart: a fresh shell (the export is gone) under the same session id.
  await restart.click();
  await expect(restart).toHaveCount(0);
  await expect(ended.getByRole('img', { name: 'Session status: running' })).toBeVisible();
  await expectPrompt(page, second!);
  await runIn(page, second!, 'echo "x=[$X]"');
  await expectBlockOutput(page, second!, /^x=\[\]$/m);
  expect(await blockSessionId(page, second!)).toBe(sessionId);
});

test('a shared shell takes the size of the pane used last; the other shows it at that size', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await block(page, first).locator('.xterm-screen').click();
  await page.keyboard.press('Control+Shift+S');
  const [, second] = await expectBlockCount(page, 2);
  await expect.poll(() => blockSessionId(page, second!)).toBe(await blockSessionId(page, first));
  await expectPrompt(page, second!);

  // Make the first pane clearly wider than the second.
  const half = (await blockSize(page, first)).cols;
  await page.getByRole('separator', { name: 'Resize blocks' }).focus();
  for (let step = 0; step < 6; step++) await page.keyboard.press('ArrowRight');

  // tmux applies a pane's resizes at most once per 250 ms (a drag is many): a command typed
  // right after one may still see the size before it, so ask until the shell has the new one.
  const shellCols = async (blockId: string, label: string) => {
    await runIn(page, blockId, `echo "${label}=$(tput cols)"`);
    await expectBlockOutput(page, blockId, new RegExp(`^${label}=\\d+$`, 'm'));
    const answers = (await blockText(page, blockId)).match(new RegExp(`^${label}=\\d+$`, 'gm'));
    return Number(answers!.at(-1)!.split('=')[1]);
  };
  // Typing in the first pane makes its (now wider) size the shell's; a pane that is not the
  // one used last shows the shell at the shell's size, so both are read until they agree.
  await expect
    .poll(async () => {
      const shell = await shellCols(first, 'wide');
      const pane = (await blockSize(page, first)).cols;
      return shell === pane && pane > half;
    })
    .toBe(true);
  const wide = (await blockSize(page, first)).cols;
  // The narrow pane draws the shell at the wide size (clipped), not re-wrapped.
  await expect.poll(async () => (await blockSize(page, second!)).cols).toBe(wide);

  await runIn(page, second!, 'true');
  await expect.poll(async () => (await blockSize(page, second!)).cols).toBeLessThan(wide);
  const narrow = (await blockSize(page, second!)).cols;
  await expect.poll(() => shellCols(second!, 'narrow')).toBe(narrow);
  await expect.poll(async () => (await blockSize(page, first)).cols).toBe(narrow);
});

test('a block whose session is deleted shows "No session", and can start or pick another', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await runIn(page, first, 'echo in-the-doomed-one');
  const doomed = (await blockSessionId(page, first))!;
  const other = await requestAsOtherWindow(page, 'createSession', {
    connection: 'local',
    name: 'spare',
  });

  await requestAsOtherWindow(page, 'deleteSession', { sessionId: doomed });
  const shown = block(page, first);
  const empty = shown.getByRole('group', { name: 'No session' });
  await expect(empty).toBeVisible();
  await expect(shown.getByRole('button', { name: 'Session', exact: true })).toHaveText(
    'No session',
  );
  await expect(shown.getByRole('button', { name: 'Open in new pane' })).toBeDisabled();
  await expect.poll(() => blockSessionId(page, first)).toBeNull();

  // "New session" gives the block a fresh shell.
  await empty.getByRole('button', { name: 'New session' }).click();
  await expect(empty).toHaveCount(0);
  await expectPrompt(page, first);
  const fresh = await blockSessionId(page, first);
  expect(fresh).not.toBe(doomed);
  expect(fresh).not.toBe(other.id);
  expect(await blockText(page, first)).not.toContain('in-the-doomed-one');
  await runIn(page, first, 'echo in-the-fresh-one');
  await expectBlockOutput(page, first, /^in-the-fresh-one$/m);

  // Deleted again: the list offers the named session, and picking it shows it.
  await requestAsOtherWindow(page, 'deleteSession', { sessionId: fresh! });
  await expect(empty).toBeVisible();
  await empty.getByRole('button', { name: /^spare/ }).click();
  await expect(empty).toHaveCount(0);
  await expect.poll(() => blockSessionId(page, first)).toBe(other.id);
  await expect(shown.getByRole('button', { name: 'Session', exact: true })).toHaveText('spare');
  await expectPrompt(page, first);
  await runIn(page, first, 'echo in-the-spare-one');
  await expectBlockOutput(page, first, /^in-the-spare-one$/m);
});

test('detach keeps the session running; showing it again brings back its screen, TUI included', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await runIn(page, first, 'echo before-the-tui');
  await expectBlockOutput(page, first, /^before-the-tui$/m);
  const session = (await blockSessionId(page, first))!;
  // A full-screen program: vi on the alternate screen, with its text on screen.
  await runIn(page, first, 'vi -c "normal ihello-from-vi"');
  await expectBlockOutput(page, first, /hello-from-vi/);

  const shown = block(page, first);
  await shown.getByRole('button', { name: 'Detach session' }).click();
  const empty = shown.getByRole('group', { name: 'No session' });
  await expect(empty).toBeVisible();
  await expect.poll(() => blockSessionId(page, first)).toBeNull();

  // The session is still running and listed; picking it shows vi again, in the
  // alternate screen, and vi still answers keys.
  // Listed by its topic: the first command typed in it.
  await empty.getByRole('button', { name: /^echo before-the-tui/ }).click();
  await expect(empty).toHaveCount(0);
  await expect.poll(() => blockSessionId(page, first)).toBe(session);
  await expect
    .poll(() => page.evaluate((id) => window.__tetherTest!.terms[id]!.screen(), first))
    .toContain('hello-from-vi');
  expect(await blockText(page, first)).not.toMatch(/^before-the-tui$/m);
  await shown.locator('.xterm-screen').click();
  await page.keyboard.press('Escape');
  await page.keyboard.type(':q!');
  await page.keyboard.press('Enter');
  // Leaving the alternate screen shows the shell's own screen from before vi.
  await expectBlockOutput(page, first, /^before-the-tui$/m);
  await runIn(page, first, 'echo after-the-tui');
  await expectBlockOutput(page, first, /^after-the-tui$/m);
});

test('keys typed while a restart is on its way reach the new shell', async ({ page, host }) => {
  const first = await openWorkspace(page, host.url);
  await runIn(page, first, 'exit');
  await expect(block(page, first).getByRole('button', { name: 'Restart' })).toBeVisible();
  // Enter restarts; keys typed in the same moment, before the new shell is followed, must not
  // be lost (the header may already show it running).
  await page.evaluate((id) => {
    const keys = window.__tetherTest!.terms[id]!;
    keys.typeKeys('\r');
    keys.typeKeys('echo "typed-$((6*7))-during-restart"\r');
  }, first);
  await expectBlockOutput(page, first, /^typed-42-during-restart$/m);
  await expect(
    block(page, first).getByRole('img', { name: 'Session status: running' }),
  ).toBeVisible();
});
