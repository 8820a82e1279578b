/**
 * The workspace as a person uses it: tabs and split layouts of terminals,
 * driven with the mouse and the keyboard, and restored after a restart.
 */
import type { Page } from '@playwright/test';
import { requestAsOtherWindow } from './fixtures/other-window';
import { expect, test } from './fixtures/terminal';
import {
  block,
  blockSize,
  expectBlockCount,
  expectBlockOutput,
  expectPrompt,
  focusedBlockId,
  layoutSaved,
  openWorkspace,
  tileBlocks,
  runIn,
  tabNames,
  tabs,
  typeCommand,
  visibleBlocks,
  workspaceState,
} from './fixtures/workspace';

async function box(page: Page, blockId: string) {
  const found = await block(page, blockId).boundingBox();
  if (!found) throw new Error(`block ${blockId} is not on screen`);
  return found;
}

test('split right, split down and close: each block is its own working shell', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);

  await block(page, first).getByRole('button', { name: 'Split right' }).click();
  const [, right] = await expectBlockCount(page, 2);
  // The new block has the keyboard and sits to the right of the first.
  await expect.poll(() => focusedBlockId(page)).toBe(right);
  await expect(block(page, right!)).toHaveAttribute('data-focused', 'true');
  expect((await box(page, right!)).x).toBeGreaterThan((await box(page, first)).x + 100);
  await expectPrompt(page, right!);
  await typeCommand(page, 'echo right-$((20+1))');
  await expectBlockOutput(page, right!, /^right-21$/m);
  expect(await page.evaluate((id) => window.__tetherTest?.terms[id]?.text(), first)).not.toMatch(
    /right-21/,
  );

  // The shortcut splits the focused block downwards.
  await page.keyboard.press('Control+Shift+O');
  const ids = await expectBlockCount(page, 3);
  const below = ids.find((id) => id !== first && id !== right)!;
  const belowBox = await box(page, below);
  const rightBox = await box(page, right!);
  expect(belowBox.y).toBeGreaterThan(rightBox.y + 50);
  expect(Math.abs(belowBox.x - rightBox.x)).toBeLessThan(4);
  await expectPrompt(page, below);
  await typeCommand(page, 'echo below-$((40+2))');
  await expectBlockOutput(page, below, /^below-42$/m);

  // Closing the right block gives its room back and the others keep working.
  await block(page, right!).getByRole('button', { name: 'Close block' }).click();
  await expectBlockCount(page, 2);
  expect((await box(page, below)).y).toBeLessThan(belowBox.y - 50);
  await runIn(page, first, 'echo first-still-$((1+1))');
  await expectBlockOutput(page, first, /^first-still-2$/m);
  await runIn(page, below, 'echo below-still-$((2+2))');
  await expectBlockOutput(page, below, /^below-still-4$/m);
});

test('dragging a divider resizes both blocks and their shells, down to a minimum', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await page.keyboard.press('Control+Shift+E');
  const [, second] = await expectBlockCount(page, 2);
  await expectPrompt(page, second!);
  const before = await box(page, first);
  const colsBefore = (await blockSize(page, first)).cols;

  const divider = page.getByRole('separator', { name: 'Resize blocks' });
  const handle = (await divider.boundingBox())!;
  const x = handle.x + handle.width / 2;
  const y = handle.y + handle.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 100, y, { steps: 5 });
  await page.mouse.move(x + 200, y, { steps: 5 });
  await page.mouse.up();

  await expect.poll(async () => (await box(page, first)).width).toBeGreaterThan(before.width + 180);
  await expect
    .poll(async () => (await blockSize(page, first)).cols)
    .toBeGreaterThan(colsBefore + 15);
  const { cols } = await blockSize(page, first);
  await runIn(page, first, 'echo "cols=$(tput cols)"');
  await expectBlockOutput(page, first, new RegExp(`^cols=${cols}$`, 'm'));

  // Dragging far past the edge stops at the neighbour's minimum width.
  const moved = (await divider.boundingBox())!;
  await page.mouse.move(moved.x + moved.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(1500, y, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => (await box(page, second!)).width).toBeLessThan(200);
  expect((await box(page, second!)).width).toBeGreaterThanOrEqual(110);
});

test('tabs: new, rename, switch by mouse and keyboard, reorder by dragging, close', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await runIn(page, first, 'echo in-tab-one');
  await expectBlockOutput(page, first, /^in-tab-one$/m);

  await page.getByRole('button', { name: 'New tab' }).click();
  await expect(tabs(page)).toHaveCount(2);
  await expect(tabs(page).nth(1)).toHaveAttribute('aria-selected', 'true');
  const [second] = await expectBlockCount(page, 1);
  expect(second).not.toBe(first);
  await expectPrompt(page, second!);
  // A new tab's terminal has the keyboard at once.
  await typeCommand(page, 'echo in-tab-two');
  await expectBlockOutput(page, second!, /^in-tab-two$/m);

  await page.keyboard.press('Control+Shift+T');
  await expect(tabs(page)).toHaveCount(3);
  expect(await tabNames(page)).toEqual(['Tab 1', 'Tab 2', 'Tab 3']);

  // Rename by double-click: Escape cancels, Enter saves, a blank name is refused.
  await tabs(page).nth(0).dblclick();
  const input = page.getByRole('textbox', { name: 'Tab name' });
  await input.fill('never');
  await input.press('Escape');
  expect((await tabNames(page))[0]).toBe('Tab 1');
  await tabs(page).nth(0).dblclick();
  await input.fill('   ');
  await input.press('Enter');
  expect((await tabNames(page))[0]).toBe('Tab 1');
  await tabs(page).nth(0).dblclick();
  await input.fill('  Build  ');
  await input.press('Enter');
  expect(await tabNames(page)).toEqual(['Build', 'Tab 2', 'Tab 3']);

  // Switch: Ctrl+1 jumps, Ctrl+Tab and Ctrl+Shift+Tab cycle, a click selects.
  await page.keyboard.press('Control+1');
  await expect(tabs(page).nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(visibleBlocks(page)).toHaveAttribute('data-block-id', first);
  await typeCommand(page, 'echo back-in-one');
  await expectBlockOutput(page, first, /^back-in-one$/m);
  await page.keyboard.press('Control+Tab');
  await expect(tabs(page).nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+Shift+Tab');
  await page.keyboard.press('Control+Shift+Tab');
  await expect(tabs(page).nth(2)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+9');
  await expect(tabs(page).nth(2)).toHaveAttribute('aria-selected', 'true');
  await tabs(page).nth(1).click();
  await expect(tabs(page).nth(1)).toHaveAttribute('aria-selected', 'true');

  // Drag "Build" onto the right half of "Tab 3": it lands after it.
  const target = (await tabs(page).nth(2).boundingBox())!;
  await tabs(page)
    .nth(0)
    .dragTo(tabs(page).nth(2), {
      targetPosition: { x: target.width * 0.8, y: target.height / 2 },
    });
  expect(await tabNames(page)).toEqual(['Tab 2', 'Tab 3', 'Build']);

  // Close the active tab: its neighbour becomes active and its shell ends.
  await tabs(page)
    .nth(0)
    .getByRole('button', { name: /Close tab/ })
    .click();
  expect(await tabNames(page)).toEqual(['Tab 3', 'Build']);
  await expect(page.locator(`[data-block-id="${second}"]`)).toHaveCount(0);
});

test('keyboard focus moves between neighbours and magnify fills the tab', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await page.keyboard.press('Control+Shift+E');
  const [, right] = await expectBlockCount(page, 2);
  await expectPrompt(page, right!);

  await page.keyboard.press('Alt+ArrowLeft');
  await expect.poll(() => focusedBlockId(page)).toBe(first);
  await typeCommand(page, 'echo went-left');
  await expectBlockOutput(page, first, /^went-left$/m);
  await page.keyboard.press('Alt+ArrowRight');
  await expect.poll(() => focusedBlockId(page)).toBe(right);
  await typeCommand(page, 'echo went-right');
  await expectBlockOutput(page, right!, /^went-right$/m);

  const area = (await page.locator('.tab-area').boundingBox())!;
  const normal = await box(page, right!);
  await block(page, right!).getByRole('button', { name: 'Magnify' }).click();
  await expect(visibleBlocks(page)).toHaveCount(1);
  await expect.poll(async () => (await box(page, right!)).width).toBeGreaterThan(area.width - 20);
  await expect
    .poll(async () => (await blockSize(page, right!)).cols)
    .toBeGreaterThan((normal.width / 9) * 1.5);
  await typeCommand(page, 'echo magnified');
  await expectBlockOutput(page, right!, /^magnified$/m);

  await page.keyboard.press('Control+Shift+Enter');
  await expect(visibleBlocks(page)).toHaveCount(2);
  await expect.poll(async () => (await box(page, right!)).width).toBeLessThan(area.width / 2 + 10);
});

test('after a restart the same tabs, names, layout, sizes and focus come back, each restartable', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await page.keyboard.press('Control+Shift+E');
  await expectBlockCount(page, 2);
  await page.keyboard.press('Control+Shift+O');
  await expectBlockCount(page, 3);
  const divider = page.getByRole('separator', { name: 'Resize blocks' }).first();
  await divider.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.getByRole('button', { name: 'New tab' }).click();
  await expect(tabs(page)).toHaveCount(2);
  await tabs(page).nth(1).dblclick();
  await page.getByRole('textbox', { name: 'Tab name' }).fill('logs');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+1');
  await block(page, first).locator('.xterm-screen').click();
  await expect.poll(() => focusedBlockId(page)).toBe(first);
  await layoutSaved(page);
  const saved = await workspaceState(page);
  expect(saved?.tabs).toHaveLength(2);

  await host.restart();
  await page.goto(host.url);
  await expect(tabs(page)).toHaveCount(2);
  expect(await tabNames(page)).toEqual(['Tab 1', 'logs']);
  await expect.poll(() => workspaceState(page)).toEqual(saved);
  await expect(tabs(page).nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(block(page, first)).toHaveAttribute('data-focused', 'true');

  // Every block, in both tabs, shows its shell still running (tmux kept it) and takes input.
  for (const index of saved!.tabs.keys()) {
    await tabs(page).nth(index).click();
    for (const id of await visibleBlocks(page).evaluateAll((elements) =>
      elements.map((element) => element.getAttribute('data-block-id') ?? ''),
    )) {
      await expect(
        block(page, id).getByRole('img', { name: 'Session status: running' }),
      ).toBeVisible();
      await expectPrompt(page, id);
      await runIn(page, id, `echo alive-${id.slice(0, 8)}`);
      await expectBlockOutput(page, id, new RegExp(`^alive-${id.slice(0, 8)}$`, 'm'));
    }
  }
});

test('a layout with more blocks than WebGL contexts still shows every terminal', async ({
  page,
  host,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await openWorkspace(page, host.url);
  await tileBlocks(page, 17);
  const ids = await expectBlockCount(page, 17);
  for (const id of ids) await expectPrompt(page, id);
  const last = ids.at(-1)!;
  await runIn(page, last, 'echo seventeen');
  await expectBlockOutput(page, last, /^seventeen$/m);
});

test('a hidden tab keeps its terminals current but paints nothing until shown', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  await runIn(page, first, 'sleep 2; echo painted-$((3*3))');
  await page.getByRole('button', { name: 'New tab' }).click();
  await expect(tabs(page).nth(1)).toHaveAttribute('aria-selected', 'true');
  // The output reaches the hidden terminal's buffer...
  await expectBlockOutput(page, first, /^painted-9$/m);
  // ...but its screen (the DOM renderer's rows) was not painted while hidden.
  const rows = block(page, first).locator('.xterm-rows');
  expect(await rows.textContent()).not.toContain('painted-9');
  await page.keyboard.press('Control+1');
  await expect(rows).toContainText('painted-9');
});

test('the header shows the title a program sets, and tooltips name the shortcuts', async ({
  page,
  host,
}) => {
  const first = await openWorkspace(page, host.url);
  const header = block(page, first).locator('header');
  const sessionName = header.getByRole('button', { name: 'Session', exact: true });
  const sessionId = await page.evaluate((id) => window.__tetherTest!.terms[id]!.sessionId(), first);
  // Nothing typed yet: the first 8 characters of the session's id.
  await expect(sessionName).toHaveText(sessionId!.slice(0, 8));
  await runIn(page, first, "printf '\\033]0;build: make -j8\\007'");
  // An unnamed session is called by the title its program set...
  await expect(sessionName).toHaveText('build: make -j8');
  await expect(header.locator('.block-title')).toHaveText('');
  // ...and a named one by its name, with the title beside it.
  await requestAsOtherWindow(page, 'renameSession', { sessionId: sessionId!, name: 'ci' });
  await expect(sessionName).toHaveText('ci');
  await expect(header.locator('.block-title')).toHaveText('build: make -j8');
  await expect(header.getByRole('button', { name: 'Split right' })).toHaveAttribute(
    'title',
    'Split right (Ctrl+Shift+E)',
  );
  await expect(header.getByRole('button', { name: 'Close block' })).toHaveAttribute(
    'title',
    'Close (Ctrl+Shift+W)',
  );

  // Ctrl+Shift+W closes the focused block; the last block of the last tab is replaced.
  await page.keyboard.press('Control+Shift+E');
  const [, second] = await expectBlockCount(page, 2);
  await expect.poll(() => focusedBlockId(page)).toBe(second);
  await page.keyboard.press('Control+Shift+W');
  await expect(visibleBlocks(page)).toHaveCount(1);
  await expect.poll(() => focusedBlockId(page)).toBe(first);
  await page.keyboard.press('Control+Shift+W');
  await expect(block(page, first)).toHaveCount(0);
  const [replacement] = await expectBlockCount(page, 1);
  expect(replacement).not.toBe(first);
  await expect(tabs(page)).toHaveCount(1);
  await expectPrompt(page, replacement!);
  await typeCommand(page, 'echo replaced');
  await expectBlockOutput(page, replacement!, /^replaced$/m);
});
