/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the OS picks one
 * for a listener on port 0, which is then closed. Another process may take it
 * before the caller binds it, so callers retry on "address in use".
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('a TCP listener has no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
