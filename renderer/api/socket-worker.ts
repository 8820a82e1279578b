/**
 * A Web Worker that owns the browser-mode WebSocket. Chromium hands socket
 * data to the thread that owns the WebSocket through a bounded pipe; on the
 * page's main thread, which is busy parsing terminal output, that pipe stays
 * full and the socket stalls. Here the socket is always read promptly, and
 * frames reach the page as messages (their buffers transferred, not copied).
 */
type FromPage = { kind: 'open'; url: string } | { kind: 'send'; frame: string | Uint8Array };
export type FromWorker =
  { kind: 'open' } | { kind: 'message'; frame: string | ArrayBuffer } | { kind: 'close' };

type WorkerScope = {
  onmessage: ((event: MessageEvent<FromPage>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
};

const scope = self as unknown as WorkerScope;
let socket: WebSocket | null = null;

scope.onmessage = ({ data }) => {
  if (data.kind === 'open' && socket === null) {
    socket = new WebSocket(data.url);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => scope.postMessage({ kind: 'open' }));
    socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      const frame = event.data;
      scope.postMessage({ kind: 'message', frame }, typeof frame === 'string' ? [] : [frame]);
    });
    // 'error' is always followed by 'close'.
    socket.addEventListener('close', () => scope.postMessage({ kind: 'close' }));
  } else if (data.kind === 'send') {
    socket?.send(data.frame);
  }
};
