/**
 * The desktop app itself, launched through Playwright's Electron support.
 * Runs only where an Electron binary is installed.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import type {} from '../renderer/term/test-seam';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinary, root } from '../scripts/lib/paths.mjs';

const binary = electronBinary();

test('the Electron app opens a sandboxed window with a working terminal', async () => {
  test.skip(
    !binary,
    'No Electron binary on this machine (its download host is unreachable here); browser-mode specs cover the app.',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [root],
    env: { ...process.env, TETHER_DATA_DIR: dataDir },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('region', { name: 'Terminal' })).toBeVisible();
    const isolated = await page.evaluate(() => ({
      bridge: typeof (window as unknown as { tether?: unknown }).tether,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(isolated).toEqual({ bridge: 'object', require: 'undefined', process: 'undefined' });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo hello-electron');
    await page.keyboard.press('Enter');
    await expect
      .poll(() =>
        page.evaluate(() => Object.values(window.__tetherTest?.terms ?? {})[0]?.text() ?? ''),
      )
      .toMatch(/^hello-electron$/m);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
