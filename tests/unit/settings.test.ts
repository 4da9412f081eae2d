import { describe, expect, it } from 'vitest';
import { buildTimeDefaults } from '../../lib/store/build-defaults';
import { formatIceServers, parseIceServers } from '../../lib/store/ice-servers-text';
import {
  DEFAULT_DISCOVERY,
  describeSignalingServer,
  FACTORY_SETTINGS,
  hostInUrl,
  type IceServer,
  parseSignalingUrl,
  SettingsSchema,
  type SignalingServer,
} from '../../lib/store/settings';

describe('a signaling server typed as a URL', () => {
  it.each<[string, SignalingServer]>([
    ['ws://127.0.0.1:9000/tincan', { host: '127.0.0.1', port: 9000, path: '/tincan', secure: false, key: 'peerjs' }],
    ['wss://peer.example.org', { host: 'peer.example.org', port: 443, path: '/', secure: true, key: 'peerjs' }],
    ['http://peer.example.org', { host: 'peer.example.org', port: 80, path: '/', secure: false, key: 'peerjs' }],
    [
      'https://peer.example.org:8443/a/b/',
      { host: 'peer.example.org', port: 8443, path: '/a/b/', secure: true, key: 'peerjs' },
    ],
    ['wss://peer.example.org:443/', { host: 'peer.example.org', port: 443, path: '/', secure: true, key: 'peerjs' }],
    ['ws://localhost:9000/?key=s3cret', { host: 'localhost', port: 9000, path: '/', secure: false, key: 's3cret' }],
    [
      '  ws://Peer.Example.ORG:9000/x  ',
      { host: 'peer.example.org', port: 9000, path: '/x', secure: false, key: 'peerjs' },
    ],
    ['ws://[::1]:9000/tincan', { host: '::1', port: 9000, path: '/tincan', secure: false, key: 'peerjs' }],
    ['wss://[2001:db8::7]/', { host: '2001:db8::7', port: 443, path: '/', secure: true, key: 'peerjs' }],
  ])('%s', (url, expected) => {
    expect(parseSignalingUrl(url)).toEqual(expected);
  });

  it.each(['ftp://peer.example.org', 'file:///tmp/x', 'javascript:alert(1)', 'stun:stun.example.org:3478'])(
    'a %s URL is refused: it is not a signaling server',
    (url) => {
      expect(() => parseSignalingUrl(url)).toThrow(/unsupported signaling URL scheme/);
    },
  );

  it.each(['', 'peer.example.org:9000', 'ws://', 'ws://host:99999/'])('"%s" is not a URL at all', (url) => {
    expect(() => parseSignalingUrl(url)).toThrow();
  });
});

describe('the signaling server as the popup shows it', () => {
  const server = (change: Partial<SignalingServer>): SignalingServer => ({
    host: 'peer.example.org',
    port: 443,
    path: '/',
    secure: true,
    key: 'peerjs',
    ...change,
  });

  it.each<[Partial<SignalingServer>, string]>([
    [{}, 'peer.example.org'],
    [{ port: 9000, path: '/tincan' }, 'peer.example.org:9000/tincan'],
    [{ secure: false, port: 80 }, 'peer.example.org'],
    [{ secure: false, port: 443 }, 'peer.example.org:443'],
    [{ secure: true, port: 80 }, 'peer.example.org:80'],
    [{ host: '127.0.0.1', port: 9000, path: '/tincan', secure: false }, '127.0.0.1:9000/tincan'],
    // Without brackets "::1:9000" would read as one IPv6 address.
    [{ host: '::1', port: 9000, path: '/tincan', secure: false }, '[::1]:9000/tincan'],
    [{ host: '2001:db8::7' }, '[2001:db8::7]'],
  ])('%o is shown as %s', (change, shown) => {
    expect(describeSignalingServer(server(change))).toBe(shown);
  });

  it('a URL built from the parsed settings reaches the same server', () => {
    for (const url of ['ws://[::1]:9000/tincan', 'wss://peer.example.org/', 'ws://127.0.0.1:9000/x']) {
      const parsed = parseSignalingUrl(url);
      const rebuilt = `${parsed.secure ? 'wss' : 'ws'}://${hostInUrl(parsed.host)}:${parsed.port}${parsed.path}`;
      expect(parseSignalingUrl(rebuilt)).toEqual(parsed);
    }
  });
});

describe('defaults baked into a build', () => {
  it('with nothing set, a build uses the public servers', () => {
    expect(buildTimeDefaults({})).toEqual(FACTORY_SETTINGS);
  });

  it('an empty TINCAN_SIGNALING_URL is the same as none', () => {
    expect(buildTimeDefaults({ TINCAN_SIGNALING_URL: '' }).signaling).toEqual(FACTORY_SETTINGS.signaling);
  });

  it('a self-hosted build points at its server and keeps public STUN unless told otherwise', () => {
    const settings = buildTimeDefaults({ TINCAN_SIGNALING_URL: 'ws://10.0.0.2:9000/tincan' });
    expect(settings.signaling).toEqual({ host: '10.0.0.2', port: 9000, path: '/tincan', secure: false, key: 'peerjs' });
    expect(settings.iceServers).toEqual(FACTORY_SETTINGS.iceServers);
    expect(settings.displayName).toBe('');
  });

  it.each(['none', ''])('TINCAN_ICE_SERVERS=%j means no ICE servers at all', (value) => {
    expect(buildTimeDefaults({ TINCAN_ICE_SERVERS: value }).iceServers).toEqual([]);
  });

  it('TINCAN_ICE_SERVERS as a JSON list is used as given', () => {
    const ice: IceServer[] = [
      { urls: 'stun:10.0.0.2:3478' },
      { urls: ['turn:10.0.0.2:3478', 'turns:10.0.0.2:5349'], username: 'u', credential: 'c' },
    ];
    expect(buildTimeDefaults({ TINCAN_ICE_SERVERS: JSON.stringify(ice) }).iceServers).toEqual(ice);
  });

  it.each([
    ['not JSON', 'stun:10.0.0.2'],
    ['not a list', '{"urls":"stun:x"}'],
    ['a server without urls', '[{"username":"u"}]'],
  ])('a build with TINCAN_ICE_SERVERS that is %s fails instead of shipping a broken default', (_, value) => {
    expect(() => buildTimeDefaults({ TINCAN_ICE_SERVERS: value })).toThrow();
  });

  it('a build with a signaling URL it cannot use fails', () => {
    expect(() => buildTimeDefaults({ TINCAN_SIGNALING_URL: 'ftp://x' })).toThrow();
  });
});

describe('ICE servers as the options page edits them', () => {
  it('STUN and TURN servers, one per line, read back as typed', () => {
    const text =
      'stun:stun.example.org:3478\nturn:turn.example.org:3478 alice s3cret\nturns:turn.example.org:5349 bob pw';
    const parsed = parseIceServers(text);
    expect(parsed).toEqual({
      ok: true,
      servers: [
        { urls: 'stun:stun.example.org:3478' },
        { urls: 'turn:turn.example.org:3478', username: 'alice', credential: 's3cret' },
        { urls: 'turns:turn.example.org:5349', username: 'bob', credential: 'pw' },
      ],
    });
    if (parsed.ok) expect(formatIceServers(parsed.servers)).toBe(text);
  });

  it('servers saved as a list of URLs come back one URL per line, each with its credentials', () => {
    const servers: IceServer[] = [
      { urls: ['stun:a.example.org', 'stun:b.example.org'] },
      { urls: ['turn:t.example.org:3478', 'turns:t.example.org:5349'], username: 'u', credential: 'c' },
    ];
    const text = formatIceServers(servers);
    expect(text).toBe(
      'stun:a.example.org\nstun:b.example.org\nturn:t.example.org:3478 u c\nturns:t.example.org:5349 u c',
    );
    expect(parseIceServers(text)).toEqual({
      ok: true,
      servers: [
        { urls: 'stun:a.example.org' },
        { urls: 'stun:b.example.org' },
        { urls: 'turn:t.example.org:3478', username: 'u', credential: 'c' },
        { urls: 'turns:t.example.org:5349', username: 'u', credential: 'c' },
      ],
    });
  });

  it('blank lines, comments, extra spaces and Windows line ends are fine', () => {
    expect(
      parseIceServers('\n# my servers\r\n   stun:s.example.org:3478   \r\n\n  turn:t.example.org  u   c\r\n'),
    ).toEqual({
      ok: true,
      servers: [{ urls: 'stun:s.example.org:3478' }, { urls: 'turn:t.example.org', username: 'u', credential: 'c' }],
    });
  });

  it('an empty box means no ICE servers', () => {
    expect(parseIceServers('')).toEqual({ ok: true, servers: [] });
    expect(formatIceServers([])).toBe('');
  });

  it.each([
    ['no username or credential', 'turn:t.example.org:3478'],
    ['a username but no credential', 'turn:t.example.org:3478 alice'],
    ['a TURNS server with no credential', 'turns:t.example.org:5349 alice'],
  ])('a TURN server with %s is refused, naming the line', (_, line) => {
    expect(parseIceServers(`stun:s.example.org\n${line}`)).toEqual({
      ok: false,
      line: 2,
      error: 'a TURN server needs a username and a credential',
    });
  });

  it.each([
    ['a web address', 'https://stun.example.org'],
    ['a bare host name', 'stun.example.org:3478'],
    ['an upper-case scheme', 'STUN:stun.example.org'],
    ['a scheme with nothing after it', 'stun:'],
    ['too many words', 'turn:t.example.org u c extra'],
    ['junk', '¯\\_(ツ)_/¯'],
  ])('%s is refused, naming the line', (_, line) => {
    const parsed = parseIceServers(`# comment\n\nstun:ok.example.org\n${line}\nstun:later.example.org`);
    expect(parsed).toMatchObject({ ok: false, line: 4 });
  });
});

describe('the "What is my IP" fallback URL', () => {
  const withUrl = (addressLookupUrl: string) =>
    SettingsSchema.safeParse({ ...FACTORY_SETTINGS, discovery: { ...DEFAULT_DISCOVERY, addressLookupUrl } }).success;

  it.each(['', 'https://ip.example.org/', 'http://192.0.2.1:8080/ip'])('accepts %j', (url) => {
    expect(withUrl(url)).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/plain,1.2.3.4',
    'ftp://ip.example.org/',
    'not a url',
  ])('refuses %j', (url) => {
    expect(withUrl(url)).toBe(false);
  });

  it('settings saved before discovery existed get the defaults', () => {
    const { discovery: _, ...old } = FACTORY_SETTINGS;
    expect(SettingsSchema.parse(old).discovery).toEqual(DEFAULT_DISCOVERY);
  });
});
