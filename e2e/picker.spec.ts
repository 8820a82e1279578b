/**
 * The session picker and the sessions overview, driven as a person would:
 * create, share, rename, switch and delete sessions from a block's header,
 * then find them all in the overview; once with the mouse, once with the
 * keyboard only. Screenshots of both land in test-results/screenshots/.
 */
import { requestAsOtherWindow } from './fixtures/other-window';
import {
  indicator,
  openPicker,
  option,
  overview,
  picker,
  rowAction,
  saveScreenshot,
} from './fixtures/picker';
import { expect, test } from './fixtures/terminal';
import {
  block,
  blockSessionId,
  expectBlockCount,
  expectBlockOutput,
  expectPrompt,
  openWorkspace,
  runIn,
} from './fixtures/workspace';

test('create, share, rename, switch and delete sessions from the header, then see them all in the overview', async ({
  page,
  host,
}, testInfo) => {
  const first = await openWorkspace(page, host.url);
  const original = (await blockSessionId(page, first))!;

  // Create "build" from the popup: the block shows it and the header says so.
  let dialog = await openPicker(page, first);
  await expect(dialog.getByRole('listbox', { name: 'Sessions' }).getByRole('option')).toHaveCount(
    1,
  );
  await expect(dialog.getByRole('option', { name: /current$/ })).toHaveCount(1);
  await dialog.getByRole('button', { name: '+ Create new session' }).click();
  const nameField = dialog.getByRole('textbox', { name: 'New session name' });
  await expect(nameField).toHaveAttribute('placeholder', 'Session name (optional)');
  await nameField.fill('build');
  await nameField.press('Enter');
  await expect(picker(page)).toHaveCount(0);
  await expect(indicator(page, first)).toHaveText('build');
  await expect.poll(() => blockSessionId(page, first)).not.toBe(original);
  const build = (await blockSessionId(page, first))!;
  await expectPrompt(page, first);
  await runIn(page, first, 'echo made-in-build');
  await expectBlockOutput(page, first, /^made-in-build$/m);

  // Share it: open it in a new pane from its row.
  dialog = await openPicker(page, first);
  await (await rowAction(dialog, 'build', 'Open in new pane')).click();
  await expect(picker(page)).toHaveCount(0);
  const [, second] = await expectBlockCount(page, 2);
  await expect.poll(() => blockSessionId(page, second!)).toBe(build);
  await expect(indicator(page, second!)).toHaveText('build');
  await expectBlockOutput(page, second!, /^made-in-build$/m);

  // Rename it from the first pane: both headers change at once. A taken name is refused inline.
  await requestAsOtherWindow(page, 'createSession', { connection: 'local', name: 'taken' });
  dialog = await openPicker(page, first);
  await expect(option(dialog, 'taken')).toBeVisible();
  await (await rowAction(dialog, 'build', 'Rename')).click();
  const rename = dialog.getByRole('textbox', { name: 'New name for build' });
  await rename.fill('taken');
  await rename.press('Enter');
  await expect(dialog.getByRole('alert')).toContainText('has that name');
  await expect(indicator(page, first)).toHaveText('build');
  await rename.fill('build-2');
  await rename.press('Enter');
  await expect(option(dialog, 'build-2')).toBeVisible();
  await expect(indicator(page, first)).toHaveText('build-2');
  await expect(indicator(page, second!)).toHaveText('build-2');

  // The popup shows each session's status, panes, age and last lines; the current one is marked.
  const row = option(dialog, 'build-2');
  await expect(row).toHaveAccessibleName('build-2, running, current');
  await expect(row).toContainText('2 panes');
  await expect(row).toContainText('just now');
  await expect(row).toContainText('made-in-build');
  await saveScreenshot(page, 'session-picker', testInfo);

  // A new anonymous session (blank name): the header shows its id's first 8 characters.
  await dialog.getByRole('button', { name: '+ Create new session' }).click();
  await dialog.getByRole('textbox', { name: 'New session name' }).fill('   ');
  await dialog.getByRole('textbox', { name: 'New session name' }).press('Enter');
  await expect(picker(page)).toHaveCount(0);
  await expect.poll(() => blockSessionId(page, first)).not.toBe(build);
  const anonymous = (await blockSessionId(page, first))!;
  await expect(indicator(page, first)).toHaveText(anonymous.slice(0, 8));
  await expect(indicator(page, second!)).toHaveText('build-2');
  await expectPrompt(page, first);
  await runIn(page, first, 'echo made-in-anonymous');
  await expectBlockOutput(page, first, /^made-in-anonymous$/m);

  // Switch the first pane between the two: each shows its own screen.
  dialog = await openPicker(page, first);
  await option(dialog, 'build-2').click();
  await expect(picker(page)).toHaveCount(0);
  await expect.poll(() => blockSessionId(page, first)).toBe(build);
  await expectBlockOutput(page, first, /^made-in-build$/m);
  await expect(indicator(page, first)).toHaveText('build-2');
  dialog = await openPicker(page, first);
  // Unnamed, it goes by its first command now.
  await option(dialog, 'echo made-in-anonymous').click();
  await expect.poll(() => blockSessionId(page, first)).toBe(anonymous);
  await expectBlockOutput(page, first, /^made-in-anonymous$/m);
  expect(await page.evaluate((id) => window.__tetherTest?.terms[id]?.text(), first)).not.toMatch(
    /made-in-build/,
  );

  // Delete build-2 after confirming: the pane showing it says so and offers a new session.
  dialog = await openPicker(page, first);
  await (await rowAction(dialog, 'build-2', 'Delete')).click();
  const confirm = dialog.getByRole('group', { name: 'Delete build-2?' });
  await expect(confirm).toContainText('1 pane will show no session');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(option(dialog, 'build-2')).toHaveCount(0);
  const orphan = block(page, second!).getByRole('group', { name: 'No session' });
  await expect(orphan).toContainText('The session “build-2” was deleted.');
  await expect(orphan.getByRole('button', { name: 'New session' })).toBeVisible();
  await expect(indicator(page, second!)).toHaveText('No session');
  await page.keyboard.press('Escape');
  await expect(picker(page)).toHaveCount(0);

  // The overview: every session, grouped by connection, with previews.
  await page.getByRole('button', { name: 'Sessions overview' }).click();
  const view = overview(page);
  await expect(view).toBeVisible();
  const local = view.getByRole('group', { name: 'Sessions on local' });
  await expect(local.getByRole('button', { name: /, running$/ })).toHaveCount(3);
  await expect(local.getByRole('listitem').filter({ hasText: 'made-in-anonymous' })).toHaveCount(1);
  await saveScreenshot(page, 'sessions-overview', testInfo);

  // Choosing a session shown in a pane focuses that pane; one shown nowhere opens a new pane.
  await local.getByRole('button', { name: 'taken, running' }).click();
  await expect(view).toHaveCount(0);
  const third = (await expectBlockCount(page, 3)).find((id) => id !== first && id !== second);
  await expect(indicator(page, third!)).toHaveText('taken');
  await expect(block(page, third!)).toHaveAttribute('data-focused', 'true');

  // A session already in a pane: the overview brings that pane back to the front.
  await page.keyboard.press('Control+Shift+T');
  await expectBlockCount(page, 1);
  await page.getByRole('button', { name: 'Sessions overview' }).click();
  await overview(page)
    .getByRole('button', { name: /^echo made-in-anonymous, running/ })
    .click();
  await expectBlockCount(page, 3);
  await expect(block(page, first)).toHaveAttribute('data-focused', 'true');
});

test('the same flow with the keyboard only: open, create, switch, rename, delete, overview', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  const original = (await blockSessionId(page, first))!;
  const keys = page.keyboard;

  // The shortcut opens the focused block's picker with the filter focused.
  await keys.press('Control+Shift+L');
  const dialog = picker(page);
  const filter = dialog.getByRole('combobox', { name: 'Filter sessions' });
  await expect(filter).toBeFocused();
  // Tab walks the highlighted row's actions, then reaches "+ Create new session".
  for (const name of ['Rename', 'Open in new pane', 'Detach', 'Delete']) {
    await keys.press('Tab');
    await expect(dialog.getByRole('button', { name, exact: true })).toBeFocused();
  }
  await keys.press('Tab');
  await expect(dialog.getByRole('button', { name: '+ Create new session' })).toBeFocused();
  await keys.press('Enter');
  await expect(dialog.getByRole('textbox', { name: 'New session name' })).toBeFocused();
  await keys.type('kbd');
  await keys.press('Enter');
  await expect(picker(page)).toHaveCount(0);
  await expect(indicator(page, first)).toHaveText('kbd');
  const kbd = (await blockSessionId(page, first))!;
  // The terminal has the keyboard again.
  await expectPrompt(page, first);
  await keys.type('echo typed-in-kbd');
  await keys.press('Enter');
  await expectBlockOutput(page, first, /^typed-in-kbd$/m);

  // Arrows + Enter switch back to the first session.
  await keys.press('Control+Shift+L');
  await expect(filter).toBeFocused();
  await expect(dialog.getByRole('option', { selected: true })).toHaveAccessibleName(
    'kbd, running, current',
  );
  await keys.press('ArrowDown');
  await expect(filter).toHaveAttribute(
    'aria-activedescendant',
    (await dialog.getByRole('option', { selected: true }).getAttribute('id'))!,
  );
  await keys.press('Enter');
  await expect(picker(page)).toHaveCount(0);
  await expect.poll(() => blockSessionId(page, first)).toBe(original);

  // Type to filter, F2 to rename, Escape to close: focus goes back to the terminal.
  await keys.press('Control+Shift+L');
  await keys.type('kb');
  await expect(dialog.getByRole('option')).toHaveCount(1);
  await keys.press('F2');
  const rename = dialog.getByRole('textbox', { name: 'New name for kbd' });
  await expect(rename).toBeFocused();
  await keys.type('kbd-2');
  await keys.press('Enter');
  await expect(option(dialog, 'kbd-2')).toBeVisible();
  await expect(filter).toBeFocused();
  await keys.press('Escape');
  await expect(picker(page)).toHaveCount(0);
  await keys.type('echo back-in-the-terminal');
  await keys.press('Enter');
  await expectBlockOutput(page, first, /^back-in-the-terminal$/m);

  // Delete kbd-2: Tab to its Delete button, Enter, then Enter on the confirmation.
  await keys.press('Control+Shift+L');
  await keys.type('kbd-2');
  await expect(dialog.getByRole('option')).toHaveCount(1);
  for (const name of ['Rename', 'Open in new pane', 'Delete']) {
    await keys.press('Tab');
    await expect(dialog.getByRole('button', { name, exact: true })).toBeFocused();
  }
  await keys.press('Enter');
  const confirm = dialog.getByRole('group', { name: 'Delete kbd-2?' });
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeFocused();
  await keys.press('Enter');
  await expect(dialog.getByRole('option')).toHaveCount(0);
  await expect(dialog.getByRole('status')).toHaveText('No session matches “kbd-2”.');
  await keys.press('Escape');
  await expect(picker(page)).toHaveCount(0);
  await expect
    .poll(async () =>
      (await requestAsOtherWindow(page, 'listSessions', {})).map((session) => session.id),
    )
    .toEqual([original]);
  expect(kbd).not.toBe(original);

  // The overview by shortcut: Enter on a session shown in a pane focuses that pane.
  await keys.press('Control+Shift+J');
  const view = overview(page);
  await expect(view).toBeVisible();
  await expect(view.getByRole('button', { name: /, running$/ }).first()).toBeFocused();
  await keys.press('Enter');
  await expect(view).toHaveCount(0);
  await expect(block(page, first)).toHaveAttribute('data-focused', 'true');
  await keys.press('Control+Shift+J');
  await expect(view).toBeVisible();
  await keys.press('Escape');
  await expect(view).toHaveCount(0);
  await keys.type('echo after-the-overview');
  await keys.press('Enter');
  await expectBlockOutput(page, first, /^after-the-overview$/m);
});

test('the picker loads what exists after a reload and follows changes made elsewhere while open', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  const early = await requestAsOtherWindow(page, 'createSession', {
    connection: 'local',
    name: 'early',
  });
  await page.reload();
  await expectBlockCount(page, 1);
  await expectPrompt(page, first);

  const dialog = await openPicker(page, first);
  await expect(option(dialog, 'early')).toBeVisible();
  // Its peek comes with the list: the shell's prompt.
  await expect(option(dialog, 'early')).toContainText(/[$#] ?$/m);

  // Made, renamed and deleted in another window while the popup is open.
  const late = await requestAsOtherWindow(page, 'createSession', { connection: 'local' });
  await expect(option(dialog, late.id.slice(0, 8))).toBeVisible();
  await requestAsOtherWindow(page, 'renameSession', { sessionId: late.id, name: 'late' });
  await expect(option(dialog, 'late')).toBeVisible();
  await requestAsOtherWindow(page, 'deleteSession', { sessionId: early.id });
  await expect(option(dialog, 'early')).toHaveCount(0);
  await expect(dialog.getByRole('option')).toHaveCount(2);

  // A blank name makes it unnamed again: it goes by its id.
  await (await rowAction(dialog, 'late', 'Rename')).click();
  await dialog.getByRole('textbox', { name: 'New name for late' }).fill('');
  await dialog.getByRole('textbox', { name: 'New name for late' }).press('Enter');
  await expect(option(dialog, late.id.slice(0, 8))).toBeVisible();

  // A click outside closes it; on nothing that takes the keyboard, the terminal has it again.
  await page.getByRole('navigation').click({ position: { x: 600, y: 10 } });
  await expect(picker(page)).toHaveCount(0);
  await page.keyboard.type('echo keys-after-outside-click');
  await page.keyboard.press('Enter');
  await expectBlockOutput(page, first, /^keys-after-outside-click$/m);

  // Opened from a block at the bottom right of a small window, it flips and shifts to stay on screen.
  await page.setViewportSize({ width: 700, height: 520 });
  await block(page, first).getByRole('button', { name: 'Split down' }).click();
  const [, lower] = await expectBlockCount(page, 2);
  await block(page, lower!).getByRole('button', { name: 'Split right' }).click();
  const corner = (await expectBlockCount(page, 3))[2]!;
  const box = (await (await openPicker(page, corner)).boundingBox())!;
  const anchor = (await indicator(page, corner).boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(520);
  expect(box.x + box.width).toBeLessThanOrEqual(700);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(anchor.y + 1);
});
