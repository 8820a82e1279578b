/**
 * A SocketFactory whose WebSocket lives in a worker (see socket-worker.ts), so
 * a page busy painting output never holds the socket back.
 */
import type { FromWorker } from './socket-worker';
import type { SocketFactory } from './ws-bridge';

export const openWorkerSocket: SocketFactory = (url, handlers) => {
  const worker = new Worker(new URL('./socket-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
    if (data.kind === 'open') handlers.open();
    else if (data.kind === 'close') handlers.close();
    else handlers.message(typeof data.frame === 'string' ? data.frame : new Uint8Array(data.frame));
  };
  // A worker that fails to load never opens: the page reports the host as lost.
  worker.onerror = () => handlers.close();
  worker.postMessage({ kind: 'open', url });
  return {
    send: (frame) => worker.postMessage({ kind: 'send', frame }),
  };
};
