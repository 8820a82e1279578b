/**
 * Binds the contract to ipcMain. Each window's webContents is one core client
 * (a reload or navigation starts a new one, so a reloaded page never inherits
 * stale zone subscriptions). Messages from anything but the app's own windows
 * showing the app's own page are dropped.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { Core, CoreClient } from '../main/core';
import { eventChannel, requestChannel, requestNames, type Result } from '../preload/contract';

export type SenderPolicy = {
  /** Is this webContents one of the app's windows? */
  isAppWindow(contents: WebContents): boolean;
  /** Is this URL the app's own renderer page? */
  isAppUrl(url: string): boolean;
};

const refused: Result<never> = {
  ok: false,
  error: { code: 'internal', message: 'Request refused: unknown sender.' },
};

export function bindIpc(core: Core, policy: SenderPolicy): () => void {
  const clients = new Map<number, CoreClient>();

  function clientFor(contents: WebContents): CoreClient {
    const existing = clients.get(contents.id);
    if (existing) return existing;
    const client = core.connect((name, payload) => {
      if (!contents.isDestroyed()) contents.send(eventChannel(name), payload);
    });
    clients.set(contents.id, client);
    const drop = () => {
      if (clients.get(contents.id) !== client) return;
      clients.delete(contents.id);
      client.dispose();
    };
    contents.once('destroyed', drop);
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) drop();
    });
    return client;
  }

  function trusted(event: IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame;
    return (
      frame !== null &&
      frame === event.sender.mainFrame &&
      policy.isAppWindow(event.sender) &&
      policy.isAppUrl(frame.url)
    );
  }

  for (const name of requestNames) {
    ipcMain.handle(requestChannel(name), (event, payload: unknown) =>
      trusted(event) ? clientFor(event.sender).call(name, payload) : refused,
    );
  }

  return () => {
    for (const name of requestNames) ipcMain.removeHandler(requestChannel(name));
    for (const client of clients.values()) client.dispose();
    clients.clear();
  };
}
