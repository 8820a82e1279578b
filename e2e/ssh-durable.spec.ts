/**
 * A durable SSH session as a person lives it, against a real OpenSSH sshd
 * (with tmux) reached through a fault proxy as "viaproxy": the link is cut,
 * the header says the session is disconnected and reconnecting, typing is
 * refused visibly (and nothing of it reaches the shell later), and once the
 * host can be reached again the session runs on by itself, its variables
 * intact. Then Tether restarts and the reloaded page resumes it the same way.
 * Screenshots land in test-results/screenshots/ssh-durable-*.png.
 */
import type { Page } from '@playwright/test';
import { startFaultProxy, type FaultProxy } from '../main/testing/ssh/fault-proxy';
import { writeProxySetup } from '../main/testing/ssh/host-setups';
import { overview, saveScreenshot } from './fixtures/picker';
import { connectionLabel, connectionPicker, expect, linkDot, test as base } from './fixtures/ssh';
import {
  block,
  blockSessionId,
  blockText,
  expectBlockOutput,
  expectPrompt,
  layoutSaved,
  openWorkspace,
  runIn,
} from './fixtures/workspace';

/** Limits for a broken test, never a measure of speed: a retry may wait 30 s (the backoff). */
const RECONNECT_MS = 90_000;

const test = base.extend<{ faultProxy: FaultProxy }>({
  // Not `proxy`: that name is Playwright's own option (the browser's HTTP proxy).
  faultProxy: async ({ sshd }, use) => {
    const proxy = await startFaultProxy({ targetPort: sshd.port });
    writeProxySetup(sshd, proxy.port);
    await use(proxy);
    await proxy.close();
  },
});

const sessionStatus = (page: Page, blockId: string, status: string) =>
  block(page, blockId).getByRole('img', { name: `Session status: ${status}` });

/** The words beside the session's name while its host can't be reached. */
const awayWords = (page: Page, blockId: string) =>
  block(page, blockId).getByText(/^disconnected — /);

test('a cut link: the header says reconnecting, typing is refused, the session resumes by itself; so after a restart', async ({
  page,
  faultProxy: proxy,
  host,
}, testInfo) => {
  test.setTimeout(300_000);
  const id = await openWorkspace(page, host.url);
  const localSession = await blockSessionId(page, id);

  // The block moves to viaproxy from its header: a new session there, in tmux on the host.
  await connectionLabel(page, id).click();
  const dialog = connectionPicker(page);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('combobox', { name: 'Filter connections' }).fill('viaproxy');
  await expect(dialog.getByRole('option', { selected: true })).toHaveAccessibleName(/^viaproxy, /);
  await page.keyboard.press('Enter');
  await expect(connectionLabel(page, id)).toHaveText('viaproxy');
  await expect.poll(() => blockSessionId(page, id)).not.toBe(localSession);
  const remoteSession = await blockSessionId(page, id);
  await expect(linkDot(page, id)).toHaveAccessibleName('Link: connected');
  await expect(sessionStatus(page, id, 'running')).toBeVisible();
  await expect(block(page, id).getByRole('img', { name: 'Not durable' })).toHaveCount(0);
  await expectPrompt(page, id);
  await runIn(page, id, 'export X=42; echo "set=[$X]"');
  await expectBlockOutput(page, id, /^set=\[42\]$/m);

  // The link drops and the host can't be reached.
  await proxy.refuse(true);
  proxy.cut();
  await expect(awayWords(page, id)).toHaveText(/^disconnected — (reconnecting|resuming)/, {
    timeout: RECONNECT_MS,
  });
  await expect(sessionStatus(page, id, 'running')).toHaveCount(0);
  await saveScreenshot(page, 'ssh-durable-disconnected', testInfo);

  // Typing is refused where it was typed, and kept nowhere.
  const notice = block(page, id).getByRole('alert');
  await expect(notice).toHaveCount(0);
  await page.keyboard.type('echo "never=[$((6*7))]"');
  await page.keyboard.press('Enter');
  await expect(notice).toContainText('Not sent — viaproxy can’t be reached; reconnecting…');
  await saveScreenshot(page, 'ssh-durable-not-sent', testInfo);

  // The overview says the same of the session.
  await page.getByRole('button', { name: 'Sessions overview' }).click();
  const card = overview(page).getByRole('group', { name: 'Sessions on viaproxy' });
  await expect(card.getByText(/^disconnected — /)).toBeVisible();
  await saveScreenshot(page, 'ssh-durable-overview', testInfo);
  await page.keyboard.press('Escape');
  await expect(overview(page)).toHaveCount(0);

  // The host can be reached again: with no click, the session runs on, same shell.
  await proxy.refuse(false);
  await expect(sessionStatus(page, id, 'running')).toBeVisible({ timeout: RECONNECT_MS });
  await expect(awayWords(page, id)).toHaveCount(0);
  await expect(notice).toHaveCount(0);
  await expect(linkDot(page, id)).toHaveAccessibleName('Link: connected');
  await runIn(page, id, 'echo "x=[$X]"');
  await expectBlockOutput(page, id, /^x=\[42\]$/m);
  expect(await blockText(page, id)).not.toMatch(/^never=\[42\]$/m);
  await saveScreenshot(page, 'ssh-durable-resumed', testInfo);

  // Tether restarts; the reloaded page's block resumes its session by itself.
  await layoutSaved(page);
  await host.restart();
  await page.goto(host.url);
  await expect(connectionLabel(page, id)).toHaveText('viaproxy');
  await expect(sessionStatus(page, id, 'running')).toBeVisible({ timeout: RECONNECT_MS });
  expect(await blockSessionId(page, id)).toBe(remoteSession);
  // Its screen comes back from tmux, earlier lines included.
  await expectBlockOutput(page, id, /^x=\[42\]$/m);
  await runIn(page, id, 'echo "after-restart=[$X]"');
  await expectBlockOutput(page, id, /^after-restart=\[42\]$/m);
  await saveScreenshot(page, 'ssh-durable-after-restart', testInfo);
});
