/**
 * What a person sees when something is wrong: a corrupt database, a missing shell.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startHost } from './fixtures/host';
import { expect, expectOutput, openApp, run, test } from './fixtures/terminal';

test('a corrupt database is moved aside, the user is told where, and Tether starts', async ({
  page,
}) => {
  const garbage = 'this is not a database'.repeat(100);
  const host = await startHost({
    prepare: (dataDir) => writeFileSync(join(dataDir, 'tether.db'), garbage),
  });
  try {
    await openApp(page, host);
    const alert = page.getByRole('alert').filter({ hasText: 'moved to' });
    await expect(alert).toBeVisible();
    const movedTo = (await alert.innerText()).match(
      /moved to (\S+tether\.db\.corrupt-\S+?) and/,
    )?.[1];
    expect(movedTo).toBeTruthy();
    // Nothing was lost: the old file is intact where the banner says.
    expect(readFileSync(movedTo!, 'utf8')).toBe(garbage);
    await run(page, 'echo fresh-$((6*7))');
    await expectOutput(page, /^fresh-42$/m);
  } finally {
    await host.stop();
  }
});

test('a missing shell is reported in the block and the app keeps working', async ({ page }) => {
  const host = await startHost({ extraArgs: ['--shell', '/nonexistent/tether-shell'] });
  try {
    await page.goto(host.url);
    const block = page.getByRole('region', { name: 'Terminal' });
    await expect(block).toContainText(
      'Shell not found or not executable: /nonexistent/tether-shell',
    );
    // A session whose shell could not start is done, with the reason (DESIGN.md §3).
    await expect(block.getByRole('img', { name: 'Session status: done' })).toBeVisible();
    const restart = block.getByRole('button', { name: 'Restart' });
    await expect(restart).toBeVisible();
    // The page and host still answer: restarting fails the same clear way, nothing crashes.
    await restart.click();
    await expect(block).toContainText('Shell not found or not executable');
    const info = await page.evaluate(() => fetch('/').then((r) => r.status));
    expect(info).toBe(200);
  } finally {
    await host.stop();
  }
});

test('a corrupt layout in the database is reset to one working terminal, with a warning', async ({
  page,
  host,
}) => {
  // The host has written its first workspace; break the tab's layout in the real file.
  const database = new Database(join(host.dataDir, 'tether.db'));
  try {
    database.prepare(`UPDATE tabs SET name = 'Build', layout = '{"root": {"kind": "spl'`).run();
  } finally {
    database.close();
  }
  await host.restart();
  await openApp(page, host);
  await expect(
    page.getByRole('alert').filter({ hasText: 'The layout of tab "Build" could not be read' }),
  ).toBeVisible();
  await expect(page.getByRole('tab')).toHaveText(['Build']);
  await run(page, 'echo reset-$((6*7))');
  await expectOutput(page, /^reset-42$/m);
});

test('a second host on the same data directory refuses to start, naming the first, which keeps working', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  await run(page, 'echo before-$((6*7))');
  await expectOutput(page, /^before-42$/m);

  const second = spawnSync(
    process.execPath,
    [join(root, 'out', 'main', 'serve.js'), '--port', '0', '--data-dir', host.dataDir],
    { env: { ...process.env, TMUX_TMPDIR: host.tmuxTmpdir }, encoding: 'utf8', timeout: 30_000 },
  );
  expect(second.status).toBe(1);
  expect(second.stdout).not.toContain('Tether is running');
  expect(second.stderr).toContain(
    `Another Tether (browser mode at ${host.url}, process ${host.pid}`,
  );
  expect(second.stderr).toContain(`is already using the data directory ${host.dataDir}`);
  expect(second.stderr).toContain('--data-dir');

  // The first lost nothing: its shell still answers, and a reload shows the same session.
  await run(page, 'echo after-$((6*7))');
  await expectOutput(page, /^after-42$/m);
  await page.reload();
  await expectOutput(page, /^before-42$/m);
  await expectOutput(page, /^after-42$/m);
});
