/**
 * The Electron shell: app lifecycle, one window, and the contract bound to
 * ipcMain. Everything else is the core (main/), which this file only creates.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../main/core';
import { defaultDataDir } from '../main/data-dir';
import { bindIpc } from './ipc-binding';
import { installMenu } from './menu';
import { appPages, createWindow, hardenSession } from './window';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const preload = join(outDir, 'preload', 'index.cjs');

const dataDir = defaultDataDir();
let core: Core | undefined;
let unbind: (() => void) | undefined;

async function start(): Promise<void> {
  core = await createCore({ dataDir, mode: 'electron' });
  const pages = appPages(outDir);
  hardenSession();
  installMenu();
  const windows = new Set<number>();
  unbind = bindIpc(core, {
    isAppWindow: (contents) => windows.has(contents.id),
    isAppUrl: pages.isAppUrl,
  });
  const open = () => {
    const window = createWindow(preload, pages);
    const id = window.webContents.id;
    windows.add(id);
    window.on('closed', () => windows.delete(id));
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
}

function main(): void {
  app.enableSandbox();
  // Before 'ready': Electron caches paths derived from userData.
  app.setPath('userData', dataDir);
  // A second launch hands over to the first (see 'second-instance') and leaves.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerLifecycle();
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      dialog.showErrorBox('Tether could not start', message);
      app.exit(1);
    });
}

function registerLifecycle(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unbind?.();
    void core?.dispose();
  });
}

main();
