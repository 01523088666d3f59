import { createConnection } from 'node:net';

/**
 * True once a nats-server on `port` greets a TCP client with its INFO line (JetStream is up by
 * then): how a starter knows the server it spawned is ready, without a client library's retries.
 */
export function natsGreets(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (buf) => done(buf.toString('utf8').startsWith('INFO')));
  });
}
