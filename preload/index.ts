/**
 * The preload bridge: one function per contract entry, built from the
 * contract's name lists, exposed as `window.tether`. No logic lives here;
 * raw ipcRenderer is never exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventChannel, eventNames, requestChannel, requestNames, type Bridge } from './contract';

const requests = Object.fromEntries(
  requestNames.map((name) => [
    name,
    (payload: unknown) => ipcRenderer.invoke(requestChannel(name), payload),
  ]),
);

const events = Object.fromEntries(
  eventNames.map((name) => [
    name,
    (listener: (payload: unknown) => void) => {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(eventChannel(name), forward);
      return () => {
        ipcRenderer.removeListener(eventChannel(name), forward);
      };
    },
  ]),
);

contextBridge.exposeInMainWorld('tether', { requests, events } as unknown as Bridge);
