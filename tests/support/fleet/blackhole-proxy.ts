/**
 * A TCP proxy in front of the signaling server that can be cut like a pulled power plug: after
 * `blackhole()` nothing more is forwarded either way, and neither side hears a close, so the
 * server keeps the client (and its PeerJS id) until its `alive_timeout` sees no heartbeat.
 */
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';

export interface BlackholeProxy {
  /** The port agents dial instead of the server's. */
  readonly port: number;
  readonly blackholed: boolean;
  /** One way, as a dead machine is: the byte streams are broken from here on. */
  blackhole(): void;
  /** Sockets open now, on both sides: two per forwarded connection. */
  sockets(): number;
  /** Ends every connection (the server then hears a close) and stops listening. */
  close(): Promise<void>;
}

const discard = () => {};

/** Keeps reading and drops it all: nothing queues up, and no FIN or RST is passed on. */
function silence(socket: Socket) {
  socket.unpipe();
  socket.on('data', discard);
  socket.resume();
}

export function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  const sockets = new Set<Socket>();
  let blackholed = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', discard);
    socket.once('close', () => sockets.delete(socket));
  };

  const listener = createServer({ noDelay: true }, (client) => {
    track(client);
    // A dead machine dials nobody: hold whatever still reaches it, silently.
    if (blackholed) return silence(client);
    const server = createConnection({ host: target.host, port: target.port, noDelay: true });
    track(server);
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      // An error comes with a close: either side's close ends the other, unless the plug is pulled.
      from.once('close', () => {
        if (!blackholed) to.destroy();
      });
    }
    client.pipe(server);
    server.pipe(client);
  });

  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => {
      const { port } = listener.address() as AddressInfo;
      resolve({
        port,
        get blackholed() {
          return blackholed;
        },
        blackhole() {
          if (blackholed) return;
          blackholed = true;
          for (const socket of sockets) silence(socket);
        },
        sockets: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            listener.close(() => done());
          }),
      });
    });
  });
}
