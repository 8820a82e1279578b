/**
 * Browser mode answers nothing without its token, and the page runs under a CSP.
 */
import WebSocket from 'ws';
import { expect, openApp, test } from './fixtures/terminal';

test('without the token: HTTP 401 and no WebSocket', async ({ page, host }) => {
  const response = await page.goto(`${host.origin}/`);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('npm run serve');
  expect((await fetch(`${host.origin}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);

  const outcome = await new Promise<string>((resolve) => {
    const socket = new WebSocket(`${host.origin.replace('http', 'ws')}/ws`);
    socket.on('open', () => resolve('open'));
    socket.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    socket.on('error', () => resolve('error'));
  });
  expect(outcome).toBe('refused 401');
});

test('with the token: the page is served under a CSP on loopback', async ({ page, host }) => {
  expect(new URL(host.url).hostname).toBe('127.0.0.1');
  const response = await page.goto(host.url);
  expect(response?.status()).toBe(200);
  const csp = (await response?.headerValue('content-security-policy')) ?? '';
  expect(csp).toContain("script-src 'self'");
  await openApp(page, host);
  // An injected inline script is refused by the CSP (and the refusal is reported).
  const evaluated = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', () => resolve('blocked'), {
          once: true,
        });
        const script = document.createElement('script');
        script.textContent = 'document.title = "injected"';
        document.head.appendChild(script);
        setTimeout(() => resolve(document.title === 'injected' ? 'ran' : 'silent'), 1000);
      }),
  );
  expect(evaluated).toBe('blocked');
});
