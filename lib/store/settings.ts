import { z } from 'zod';

/** Where this browser registers its address: a PeerJS signaling server (npm `peer`). */
export const SignalingServerSchema = z.object({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  path: z.string().trim().startsWith('/').max(200),
  secure: z.boolean(),
  /** PeerJS API key; `peerjs` for the public cloud and for `peer` servers with defaults. */
  key: z.string().min(1).max(100),
});
export type SignalingServer = z.infer<typeof SignalingServerSchema>;

export const IceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

/** Same-network discovery (lib/discovery/). */
export const DiscoverySettingsSchema = z.object({
  enabled: z.boolean(),
  /** A phone's hotspot or a mobile network is no place to announce oneself unless asked. */
  onCellular: z.boolean(),
  /**
   * Optional plain-text "what is my IP" URL, asked only when no STUN server answers. Empty: none.
   * It learns this browser's public address, so it is off unless the user sets one.
   */
  addressLookupUrl: z.union([
    z.literal(''),
    z
      .string()
      .trim()
      .max(300)
      .url()
      .refine((url) => /^https?:\/\//i.test(url), 'must be an http:// or https:// URL'),
  ]),
});
export type DiscoverySettings = z.infer<typeof DiscoverySettingsSchema>;

export const DEFAULT_DISCOVERY: DiscoverySettings = { enabled: true, onCellular: false, addressLookupUrl: '' };

export const SettingsSchema = z.object({
  signaling: SignalingServerSchema,
  iceServers: z.array(IceServerSchema).max(16),
  /** Shown to the people this browser chats with, next to its address. */
  displayName: z.string().trim().max(40),
  /** Settings saved before discovery existed have none: they get the defaults. */
  discovery: DiscoverySettingsSchema.default(DEFAULT_DISCOVERY),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const PUBLIC_PEERJS_CLOUD: SignalingServer = {
  host: '0.peerjs.com',
  port: 443,
  path: '/',
  secure: true,
  key: 'peerjs',
};

export const PUBLIC_STUN: IceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];

export const FACTORY_SETTINGS: Settings = {
  signaling: PUBLIC_PEERJS_CLOUD,
  iceServers: PUBLIC_STUN,
  displayName: '',
  discovery: DEFAULT_DISCOVERY,
};

/**
 * The host as it goes into a URL: an IPv6 address in brackets (RFC 3986 §3.2.2), since
 * `ws://::1:9000/` is not a URL. Settings keep the bare address, as `URL.hostname` gives it.
 */
export function hostInUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A short, human form of the server, as the popup shows it: `127.0.0.1:9000/tincan`. */
export function describeSignalingServer(server: SignalingServer): string {
  const defaultPort = server.secure ? 443 : 80;
  const port = server.port === defaultPort ? '' : `:${server.port}`;
  const path = server.path === '/' ? '' : server.path;
  return `${hostInUrl(server.host)}${port}${path}`;
}

/**
 * Reads a signaling URL (`ws://host:port/path`, `wss://…`, `http://…`, `https://…`) into
 * the PeerJS server settings it stands for.
 */
export function parseSignalingUrl(text: string): SignalingServer {
  const url = new URL(text.trim());
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!secure && url.protocol !== 'ws:' && url.protocol !== 'http:') {
    throw new Error(`unsupported signaling URL scheme "${url.protocol}"`);
  }
  return SignalingServerSchema.parse({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    path: url.pathname || '/',
    secure,
    key: url.searchParams.get('key') ?? 'peerjs',
  });
}
