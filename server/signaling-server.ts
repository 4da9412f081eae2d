import type { AddressInfo, Socket } from 'node:net';
import { PeerServer } from 'peer';

export interface SignalingServerOptions {
  /** 127.0.0.1 unless the self-hoster asks for another interface. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  path?: string;
  /** How long an id stays reserved after its holder vanished without a clean close. */
  aliveTimeoutMs?: number;
}

export interface RunningSignalingServer {
  host: string;
  port: number;
  path: string;
  /** ws:// URL, the form `TINCAN_SIGNALING_URL` takes. */
  url: string;
  close(): Promise<void>;
}

/** A PeerJS signaling server (npm `peer`): relays offers, answers and candidates, stores nothing. */
export function startSignalingServer(options: SignalingServerOptions = {}): Promise<RunningSignalingServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/tincan';
  return new Promise((resolve, reject) => {
    const app = PeerServer(
      {
        host,
        port: options.port ?? 9000,
        path,
        key: 'peerjs',
        allow_discovery: false,
        alive_timeout: options.aliveTimeoutMs ?? 60_000,
      },
      (server) => {
        // Upgraded WebSocket connections outlive `server.close()`; track them to end them.
        const sockets = new Set<Socket>();
        server.on('connection', (socket: Socket) => {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        });
        const { port } = server.address() as AddressInfo;
        const urlHost = host.includes(':') ? `[${host}]` : host;
        resolve({
          host,
          port,
          path,
          url: `ws://${urlHost}:${port}${path}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              for (const socket of sockets) socket.destroy();
            }),
        });
      },
    );
    app.on('error', reject);
  });
}
