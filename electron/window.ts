/**
 * The app window and the rules every web page in the app lives under:
 * sandboxed, isolated, no Node, no navigation away, no new windows, no
 * permissions beyond the clipboard, and a CSP on everything served.
 */
import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export type AppPages = { url: string; isAppUrl(url: string): boolean };

/** Where the renderer comes from: electron-vite's dev server, or the built files. */
export function appPages(outDir: string): AppPages {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const url = devUrl ?? pathToFileURL(join(outDir, 'renderer', 'index.html')).href;
  const origin = devUrl ? new URL(devUrl).origin : null;
  return {
    url,
    isAppUrl: (candidate) =>
      origin ? safeOrigin(candidate) === origin : candidate.split(/[?#]/)[0] === url,
  };
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Session-wide rules; call once before the first window. */
export function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write' || permission === 'clipboard-read');
  });
}

/** Per-page rules: stay on the app's page; links open in the user's browser. */
export function hardenContents(contents: WebContents, pages: AppPages): void {
  contents.on('will-navigate', (event, url) => {
    if (!pages.isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createWindow(preload: string, pages: AppPages): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 400,
    minHeight: 240,
    backgroundColor: '#1b1d23',
    title: 'Tether',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  hardenContents(window.webContents, pages);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(pages.url);
  return window;
}
