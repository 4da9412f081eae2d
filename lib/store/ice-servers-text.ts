import type { IceServer } from './settings';

/**
 * ICE servers as the options page edits them: one per line, `URL [username credential]`, e.g.
 *   stun:stun.example.org:3478
 *   turn:turn.example.org:3478 alice s3cret
 */
export function formatIceServers(servers: IceServer[]): string {
  return servers
    .flatMap((server) => {
      const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
      const auth = server.username !== undefined ? ` ${server.username} ${server.credential ?? ''}` : '';
      return urls.map((url) => `${url}${auth}`.trimEnd());
    })
    .join('\n');
}

export type IceParse = { ok: true; servers: IceServer[] } | { ok: false; line: number; error: string };

export function parseIceServers(text: string): IceParse {
  const servers: IceServer[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [url, username, credential, ...rest] = line.split(/\s+/);
    if (!url || rest.length > 0 || !/^(stun|stuns|turn|turns):[^\s]+$/.test(url)) {
      return { ok: false, line: index + 1, error: 'expected "stun:host:port" or "turn:host:port username credential"' };
    }
    const isTurn = url.startsWith('turn');
    if (isTurn && (username === undefined || credential === undefined)) {
      return { ok: false, line: index + 1, error: 'a TURN server needs a username and a credential' };
    }
    servers.push(isTurn ? { urls: url, username, credential } : { urls: url });
  }
  return { ok: true, servers };
}
