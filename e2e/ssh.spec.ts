/**
 * SSH blocks as a person opens them, against a real OpenSSH sshd on
 * 127.0.0.1 whose test HOME is Tether's HOME: a new tab on `testhost` through
 * the connection picker, an unknown host key accepted and saved from the
 * block's question, and a local block moved to `testhost` from its header.
 * Screenshots land in test-results/screenshots/ssh-*.png.
 */
import type { Page } from '@playwright/test';
import { runCommand } from '../main/testing/ssh/run-command';
import { saveScreenshot } from './fixtures/picker';
import {
  connectionLabel,
  connectionPicker,
  expect,
  linkDot,
  loginQuestion,
  test,
} from './fixtures/ssh';
import {
  blockSessionId,
  blockText,
  expectBlockOutput,
  expectPrompt,
  openWorkspace,
  runIn,
  tabs,
  visibleBlockIds,
} from './fixtures/workspace';

/** The one block of the tab that just opened (the active one), once it is not `previous`. */
async function newTabBlock(page: Page, previous: string): Promise<string> {
  await expect(tabs(page)).toHaveCount(2);
  await expect.poll(() => visibleBlockIds(page)).not.toEqual([previous]);
  const [id] = await visibleBlockIds(page);
  return id!;
}

/** What `echo $SSH_CONNECTION` prints for a login to this sshd: client, then server address. */
function sshConnectionLine(port: number): RegExp {
  return new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${port}\\s*$`, 'm');
}

test('a new tab on testhost from the picker runs a shell there, and its header says connected', async ({
  page,
  host,
  sshd,
}, testInfo) => {
  const first = await openWorkspace(page, host.url);

  await page.getByRole('button', { name: 'Open a tab on a connection' }).click();
  const dialog = connectionPicker(page);
  await expect(dialog).toBeVisible();
  const filter = dialog.getByRole('combobox', { name: 'Filter connections' });
  await expect(filter).toBeFocused();
  // local first, then ~/.ssh/config's testhost with where it goes.
  const options = dialog.getByRole('listbox', { name: 'Connections' }).getByRole('option');
  await expect(options.first()).toHaveAccessibleName('local');
  const target = `${sshd.user}@127.0.0.1:${sshd.port}`;
  await expect(dialog.getByRole('option', { name: `testhost, ${target}` })).toBeVisible();
  await saveScreenshot(page, 'ssh-picker', testInfo);

  // Typing filters; the alias it begins is highlighted, so Enter opens it (not host "testh").
  await filter.fill('testh');
  await expect(options.first()).toHaveAccessibleName(`testhost, ${target}`);
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await expect(options.last()).toHaveAccessibleName('Connect to testh, a new SSH connection');
  await filter.press('Enter');
  await expect(connectionPicker(page)).toHaveCount(0);

  const ssh = await newTabBlock(page, first);
  await expect(connectionLabel(page, ssh)).toHaveText('testhost');
  await expect(linkDot(page, ssh)).toHaveAccessibleName('Link: connected');
  await expect(connectionLabel(page, ssh)).toHaveAttribute(
    'title',
    new RegExp(`^testhost \\(${target.replace(/\./g, '\\.')}\\): connected`),
  );
  await expectPrompt(page, ssh);
  await runIn(page, ssh, 'echo $SSH_CONNECTION');
  await expectBlockOutput(page, ssh, sshConnectionLine(sshd.port));
  await saveScreenshot(page, 'ssh-connected', testInfo);

  // The local tab is still local.
  await tabs(page).first().click();
  await expect(connectionLabel(page, first)).toHaveText('local');
  await expect(linkDot(page, first)).toHaveCount(0);
});

test.describe('an unknown host', () => {
  test.use({ knownHosts: 'empty' });

  test('asks in the block with its fingerprint; Connect and save trusts it and the shell runs', async ({
    page,
    host,
    sshd,
  }, testInfo) => {
    const first = await openWorkspace(page, host.url);

    await page.keyboard.press('Control+Shift+K');
    const dialog = connectionPicker(page);
    await expect(dialog).toBeVisible();
    await dialog.getByRole('combobox', { name: 'Filter connections' }).fill('testhost');
    await page.keyboard.press('Enter');

    const ssh = await newTabBlock(page, first);
    const question = loginQuestion(page, ssh);
    await expect(question).toBeVisible();
    await expect(question.getByLabel('Fingerprint')).toHaveText(sshd.hostFingerprint);
    await expect(question).toContainText('ssh-ed25519');
    await expect(connectionLabel(page, ssh)).toHaveText('testhost');
    await expect(linkDot(page, ssh)).toHaveAccessibleName('Link: connecting…');
    await saveScreenshot(page, 'ssh-host-key', testInfo);

    await question.getByRole('button', { name: 'Connect and save' }).click();
    await expect(question).toHaveCount(0);
    await expect(linkDot(page, ssh)).toHaveAccessibleName('Link: connected');
    await expectPrompt(page, ssh);
    await runIn(page, ssh, 'echo $SSH_CONNECTION');
    await expectBlockOutput(page, ssh, sshConnectionLine(sshd.port));

    // Saved where OpenSSH's own tools find it.
    const found = await runCommand('ssh-keygen', [
      '-F',
      `[127.0.0.1]:${sshd.port}`,
      '-f',
      sshd.knownHostsPath,
    ]);
    expect(found.stdout).toContain(sshd.hostPublicKey.split(' ')[1]!);
    await saveScreenshot(page, 'ssh-host-key-saved', testInfo);
  });
});

test('a local block moves to testhost from its header; its local session keeps running', async ({
  page,
  host,
  sshd,
}, testInfo) => {
  const first = await openWorkspace(page, host.url);
  const localSession = (await blockSessionId(page, first))!;
  await runIn(page, first, 'echo still-local-$((6*7))');
  await expectBlockOutput(page, first, /^still-local-42$/m);

  await connectionLabel(page, first).click();
  const dialog = connectionPicker(page);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('option', { name: 'local, current' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('option', { selected: true })).toHaveAccessibleName(/^testhost, /);
  await page.keyboard.press('Enter');
  await expect(connectionPicker(page)).toHaveCount(0);

  await expect(connectionLabel(page, first)).toHaveText('testhost');
  await expect.poll(() => blockSessionId(page, first)).not.toBe(localSession);
  await expect(linkDot(page, first)).toHaveAccessibleName('Link: connected');
  await expectPrompt(page, first);
  await runIn(page, first, 'echo $SSH_CONNECTION');
  await expectBlockOutput(page, first, sshConnectionLine(sshd.port));
  // The new session's screen replaced the local one's.
  expect(await blockText(page, first)).not.toMatch(/still-local-42/);
  await saveScreenshot(page, 'ssh-switched', testInfo);

  // The local session it showed still runs, detached: the overview lists it under local.
  await page.getByRole('button', { name: 'Sessions overview' }).click();
  const overview = page.getByRole('dialog', { name: 'Sessions overview' });
  const card = overview
    .getByRole('group', { name: 'Sessions on local' })
    .locator(`[data-session-id="${localSession}"]`);
  await expect(card.getByRole('button', { name: /, running$/ })).toBeVisible();
  await expect(overview.getByRole('group', { name: 'Sessions on testhost' })).toBeVisible();
});
