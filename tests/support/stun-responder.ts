/**
 * A tiny STUN server for tests: it answers every Binding Request (RFC 5389 §7) on 127.0.0.1
 * with a Binding Success Response whose XOR-MAPPED-ADDRESS (§15.2) is a fixed address the test
 * chooses, so a test can tell an address that came from STUN from one the host has anyway.
 */
import { createSocket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

const HEADER_BYTES = 20;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

export type StunResponder = {
  readonly url: string;
  readonly port: number;
  /** Binding Requests answered so far. */
  readonly answered: () => number;
  readonly close: () => Promise<void>;
};

export type StunResponderOptions = {
  /** The address every response reports, e.g. `203.0.113.7` or `2001:db8::7`. */
  mappedAddress: string;
  /** The port every response reports; the requester's own port when absent. */
  mappedPort?: number;
};

export async function startStunResponder(options: StunResponderOptions): Promise<StunResponder> {
  const socket = createSocket('udp4');
  let answered = 0;
  socket.on('message', (request, from) => {
    const response = bindingResponse(request, options.mappedAddress, options.mappedPort ?? from.port);
    if (!response) return;
    answered += 1;
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    url: `stun:127.0.0.1:${port}`,
    port,
    answered: () => answered,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Undefined for anything but a well-formed Binding Request (wrong type, cookie or length). */
export function bindingResponse(request: Uint8Array, address: string, port: number): Uint8Array | undefined {
  if (request.length < HEADER_BYTES) return undefined;
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  if (view.getUint16(0) !== BINDING_REQUEST) return undefined;
  if (view.getUint16(2) !== request.length - HEADER_BYTES) return undefined;
  if (view.getUint32(4) !== MAGIC_COOKIE) return undefined;
  const transactionId = request.subarray(8, HEADER_BYTES);
  const value = xorMappedAddress(address, port, transactionId);
  const response = new Uint8Array(HEADER_BYTES + 4 + value.length);
  const out = new DataView(response.buffer);
  out.setUint16(0, BINDING_SUCCESS);
  out.setUint16(2, 4 + value.length);
  out.setUint32(4, MAGIC_COOKIE);
  response.set(transactionId, 8);
  out.setUint16(HEADER_BYTES, XOR_MAPPED_ADDRESS);
  out.setUint16(HEADER_BYTES + 2, value.length);
  response.set(value, HEADER_BYTES + 4);
  return response;
}

/** §15.2: the port is XORed with the cookie's top 16 bits; the address with the cookie (IPv4) or cookie ‖ transaction id (IPv6). */
function xorMappedAddress(address: string, port: number, transactionId: Uint8Array): Uint8Array {
  const raw = addressBytes(address);
  const value = new Uint8Array(4 + raw.length);
  const view = new DataView(value.buffer);
  view.setUint8(1, raw.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6);
  view.setUint16(2, port ^ (MAGIC_COOKIE >>> 16));
  const mask = new Uint8Array(16);
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE);
  mask.set(transactionId, 4);
  for (const [i, byte] of raw.entries()) value[4 + i] = byte ^ (mask[i] ?? 0);
  return value;
}

function addressBytes(address: string): Uint8Array {
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  // Only the full or `::`-compressed form without a dotted tail: enough for test addresses.
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const known = [...groups(head), ...(tail === undefined ? [] : groups(tail))];
  const words =
    tail === undefined ? known : [...groups(head), ...new Array<string>(8 - known.length).fill('0'), ...groups(tail)];
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (const [i, word] of words.entries()) view.setUint16(i * 2, Number.parseInt(word, 16));
  return bytes;
}
