/**
 * One real terminal, end to end: Chromium → browser-mode host → tmux (or node-pty) → bash.
 */
import * as pty from 'node-pty';
import { hostTmux, startHost } from './fixtures/host';
import {
  expect,
  expectOutput,
  openApp,
  run,
  terminalSize,
  terminalText,
  test,
} from './fixtures/terminal';

test('the terminal appears and runs what is typed', async ({ page, host }) => {
  await openApp(page, host);
  await run(page, 'echo hello-tether');
  await expectOutput(page, /^hello-tether$/m);
  // The token left the address bar; the cookie carries it.
  expect(page.url()).not.toContain('token=');
});

test('resizing the window resizes the shell', async ({ page, host }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openApp(page, host);
  const wide = await terminalSize(page);
  await run(page, 'echo "cols=$(tput cols)"');
  await expectOutput(page, new RegExp(`^cols=${wide?.cols}$`, 'm'));

  await page.setViewportSize({ width: 640, height: 500 });
  await expect.poll(async () => (await terminalSize(page))?.cols).toBeLessThan(wide?.cols ?? 0);
  const narrow = await terminalSize(page);
  await run(page, 'clear; echo "cols=$(tput cols) rows=$(tput lines)"');
  await expectOutput(page, new RegExp(`^cols=${narrow?.cols} rows=${narrow?.rows}$`, 'm'));
});

test('reloading the page brings the block back with its shell and screen', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  await run(page, 'export TETHER_MARK=kept-$((40+2)); echo before-reload');
  await expectOutput(page, /^before-reload$/m);
  await page.reload();
  await expectOutput(page, /^before-reload$/m);
  await run(page, 'echo "mark=$TETHER_MARK"');
  await expectOutput(page, /^mark=kept-42$/m);
});

test('after a host restart the block shows the same shell (tmux), reachable from a plain terminal', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  await run(page, 'export X=42; echo "pid=$$"');
  await expectOutput(page, /^pid=\d+$/m);
  const firstPid = (await terminalText(page)).match(/^pid=(\d+)$/m)?.[1];
  const block = page.getByRole('region', { name: 'Terminal' });
  await expect(block.getByText('not durable')).toHaveCount(0);

  await host.restart();
  await page.goto(host.url);
  await expect(block.getByRole('img', { name: 'Session status: running' })).toBeVisible();
  await expectOutput(page, /^pid=\d+$/m);
  await run(page, 'echo "x=$X pid=$$"');
  await expectOutput(page, new RegExp(`^x=42 pid=${firstPid}$`, 'm'));

  // A person joins the same session from a terminal of their own: what they type shows here.
  const name = hostTmux(host, ['list-sessions', '-F', '#{session_name}']).trim();
  const outside = pty.spawn('tmux', ['-L', 'tether', 'attach', '-t', `=${name}`], {
    cols: 100,
    rows: 30,
    env: { ...process.env, TMUX_TMPDIR: host.tmuxTmpdir } as Record<string, string>,
  });
  try {
    await expect.poll(() => outside.pid > 0).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    outside.write('echo typed-outside-$((6*7))\r');
    await expectOutput(page, /^typed-outside-42$/m);
  } finally {
    outside.kill();
  }
});

test('on pty (tmux not used) the header says not durable, and a restart ends the shell', async ({
  page,
}) => {
  const host = await startHost({ env: { TETHER_LOCAL_BACKEND: 'pty' } });
  try {
    await openApp(page, host);
    const block = page.getByRole('region', { name: 'Terminal' });
    await expect(block.getByText('not durable')).toBeVisible();
    await run(page, 'echo "pid=$$"');
    await expectOutput(page, /^pid=\d+$/m);
    const firstPid = (await terminalText(page)).match(/^pid=(\d+)$/m)?.[1];
    await host.restart();
    await page.goto(host.url);
    // A pty shell cannot outlive the app: done, with the reason, and nothing restarts by itself.
    await expect(block.getByRole('status')).toContainText('Tether restarted');
    await expect(block.getByRole('img', { name: 'Session status: done' })).toBeVisible();
    await block.getByRole('button', { name: 'Restart' }).click();
    await expect(block.getByRole('img', { name: 'Session status: running' })).toBeVisible();
    await run(page, 'echo "pid=$$ again"');
    await expectOutput(page, /^pid=\d+ again$/m);
    const secondPid = (await terminalText(page)).match(/^pid=(\d+) again$/m)?.[1];
    expect(secondPid).not.toBe(firstPid);
  } finally {
    await host.stop();
  }
});

test('unicode and colours reach the terminal intact', async ({ page, host }) => {
  await openApp(page, host);
  await run(page, `printf '\\033[31mred\\033[0m café ✓ 日本語 🙂\\n'`);
  await expectOutput(page, /^red café ✓ 日本語 🙂/m);
});

test('a TUI (vi) takes over the screen and gives it back', async ({ page, host }) => {
  await openApp(page, host);
  await run(page, 'vi /tmp/tether-e2e-vi.txt');
  // vi draws its empty-line markers on the alternate screen.
  await expect
    .poll(() => page.evaluate(() => Object.values(window.__tetherTest!.terms)[0]!.screen()))
    .toMatch(/^~/m);
  await page.keyboard.type('itether-vi-text');
  await page.keyboard.press('Escape');
  await page.keyboard.type(':wq');
  await page.keyboard.press('Enter');
  await run(page, 'cat /tmp/tether-e2e-vi.txt; rm -f /tmp/tether-e2e-vi.txt');
  await expectOutput(page, /^tether-vi-text$/m);
});

test('a flood of output never freezes the page and Ctrl-C stops it', async ({ page, host }) => {
  await openApp(page, host);
  await run(page, 'yes tether-flood');
  await expect
    .poll(() => page.evaluate(() => Object.values(window.__tetherTest!.terms)[0]!.bytesParsed()))
    .toBeGreaterThan(2_000_000);
  // The page still answers while the flood runs.
  const answered = await page.evaluate(
    () => new Promise<number>((r) => requestAnimationFrame(() => r(1))),
  );
  expect(answered).toBe(1);
  await page.keyboard.press('Control+C');
  await run(page, 'echo "after-$((6*7))"');
  await expectOutput(page, /^after-42$/m, 15_000);
});

test('pasting reaches the shell', async ({ page, host, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });
  await openApp(page, host);
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((2*21))'));
  await page.locator('.xterm-helper-textarea').first().focus();
  await page.keyboard.press('Control+Shift+V');
  // Reading the clipboard is asynchronous: see the pasted line before pressing Enter.
  await expectOutput(page, /echo pasted-\$\(\(2\*21\)\)$/m);
  await page.keyboard.press('Enter');
  await expectOutput(page, /^pasted-42$/m);
});
