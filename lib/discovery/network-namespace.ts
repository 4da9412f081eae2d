/**
 * The network namespace: a name that everyone behind the same public address computes alike,
 * and that keeps the address itself out of every PeerJS id (DESIGN.md, "Identifiers").
 *
 *   ns = first 16 base32 chars of HMAC-SHA256(root key, "tincan/ns/v1|" + public prefix)
 *
 * 16 base32 characters are 80 bits: collisions between namespaces stay out of reach.
 */
import { toBase32 } from '../bytes';
import { checkBytes, hmacSha256, type RandomBytes, sha256, takeRandom } from '../crypto/primitives';

export const NAMESPACE_CHARS = 16;
/** 10 random bytes, 16 base32 characters: two visits never pick the same discovery id. */
const DISCOVERY_RAND_BYTES = 10;
/** A bound for ids read from peers; the default root gives ids of 43 characters. */
export const MAX_DISCOVERY_ID_CHARS = 100;

const utf8 = new TextEncoder();

/**
 * The HMAC key for a root: SHA-256("tincan/root-key/v1|" + root). A root is text (the constant
 * `tincan`, or a beacon token of any length), an HMAC key should be a fixed 32 bytes, and the
 * label keeps this hash from meaning anything elsewhere. With the default root the key is
 * public: the namespace then hides the address from a glance at an id, not from someone who
 * hashes all 2^32 IPv4 addresses. Only a beacon root (secret to a deployment, changing every
 * window) makes the namespace unguessable.
 */
export function rootKey(root: string): Uint8Array {
  return sha256(utf8.encode(`tincan/root-key/v1|${root}`));
}

export function namespaceId(rootKeyBytes: Uint8Array, prefix: string): string {
  checkBytes(rootKeyBytes, 'root key', 32);
  return toBase32(hmacSha256(rootKeyBytes, utf8.encode(`tincan/ns/v1|${prefix}`))).slice(0, NAMESPACE_CHARS);
}

/**
 * The part of a server-reflexive address that people on one network share, in one canonical
 * text form (it is hashed, so every peer must write it byte for byte alike):
 * - IPv4 (and IPv4-mapped IPv6, `::ffff:a.b.c.d`): the dotted quad, e.g. `203.0.113.7`.
 * - IPv6: the /64, as four lowercase hex groups without leading zeros, then `::/64`, e.g.
 *   `2001:db8:0:12::/64` — every device has its own address, the /64 is the network's.
 *
 * Undefined when the address cannot be a network's public face: a private, loopback,
 * link-local, shared (CGNAT), multicast or reserved address means the STUN server answered from
 * inside the same network, so it names one device, not the network. IPv6 must be global unicast
 * (2000::/3), minus Teredo (2001::/32), whose /64 belongs to the relay and is shared by
 * strangers. Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)
 * are allowed: they never appear on the internet, and the NAT tests use them as their public side.
 */
export function publicPrefix(address: string): string | undefined {
  const v4 = parseIpv4(address);
  if (v4) return isPublicIpv4(v4) ? v4.join('.') : undefined;
  const v6 = parseIpv6(address);
  if (!v6) return undefined;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = v6;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    const mapped = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
    return isPublicIpv4(mapped) ? mapped.join('.') : undefined;
  }
  if ((g0 & 0xe000) !== 0x2000) return undefined;
  if (g0 === 0x2001 && g1 === 0) return undefined;
  return `${[g0, g1, g2, g3].map((group) => group.toString(16)).join(':')}::/64`;
}

function isPublicIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false; // this network, RFC 1918, loopback, multicast, reserved
  if (a === 100 && b >= 64 && b <= 127) return false; // RFC 6598 shared (CGNAT)
  if (a === 169 && b === 254) return false; // link-local
  if (a === 172 && b >= 16 && b <= 31) return false; // RFC 1918
  if (a === 192 && b === 168) return false; // RFC 1918
  if (a === 192 && b === 0 && c === 0) return false; // IETF protocol assignments
  return true;
}

/** Strict dotted quad: four decimal numbers 0–255, no leading zeros (some parsers read them as octal). */
function parseIpv4(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : 256));
  return parts.every((part) => part <= 255) ? parts : undefined;
}

const GROUP = /^[0-9a-f]{1,4}$/;

/**
 * RFC 4291 §2.2 text forms to eight 16-bit groups: `::` compression, any case, a trailing
 * dotted quad, optional brackets and a zone id (`%eth0`, which only scopes link-local
 * addresses and says nothing about the network).
 */
function parseIpv6(text: string): number[] | undefined {
  let s = text.toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    tail = [(a << 8) | b, (c << 8) | d];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const head = split(halves[0] ?? '');
  const rest = halves.length === 2 ? split(halves[1] ?? '') : [];
  if (![...head, ...rest].every((group) => GROUP.test(group))) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const toGroup = (group: string) => Number.parseInt(group, 16);
  return [...head.map(toGroup), ...new Array<number>(8 - given).fill(0), ...rest.map(toGroup), ...tail];
}

/** `{root}-{ns}-d-{rand}`: a fresh one for every namespace visit. */
export function makeDiscoveryId(root: string, ns: string, randomBytes: RandomBytes): string {
  return `${root}-${ns}-d-${toBase32(takeRandom(randomBytes, DISCOVERY_RAND_BYTES, 'discovery id'))}`;
}

export type DiscoveryIdParts = { root: string; ns: string; rand: string };

// A root is a PeerJS-safe token (letters, digits, `-`, `_`; alphanumeric at both ends).
const DISCOVERY_ID = /^([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)-([a-z2-7]{16})-d-([a-z2-7]{8,32})$/;

/** Undefined for anything that is not a discovery id, so a peer's text is checked before use. */
export function parseDiscoveryId(id: string): DiscoveryIdParts | undefined {
  if (id.length > MAX_DISCOVERY_ID_CHARS) return undefined;
  const match = DISCOVERY_ID.exec(id);
  if (!match) return undefined;
  const [, root = '', ns = '', rand = ''] = match;
  return { root, ns, rand };
}

/** `{root}-{ns}`: what every id in one namespace starts with. */
export const namespacePrefix = (root: string, ns: string): string => `${root}-${ns}`;

export type RouterIdParts = { root: string; ns: string; rank: number; namespace: string };

const ROUTER_ID = /^([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)-([a-z2-7]{16})-r([1-9][0-9]{0,2})$/;

/** `{root}-{ns}-r{k}` read back (router-election.ts `routerId` writes it); undefined for anything else. */
export function parseRouterId(id: string): RouterIdParts | undefined {
  if (id.length > MAX_DISCOVERY_ID_CHARS) return undefined;
  const match = ROUTER_ID.exec(id);
  if (!match) return undefined;
  const [, root = '', ns = '', rank = ''] = match;
  return { root, ns, rank: Number(rank), namespace: namespacePrefix(root, ns) };
}
