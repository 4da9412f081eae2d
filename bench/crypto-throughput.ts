/**
 * `npx tsx bench/crypto-throughput.ts`: what a session's cryptography costs in this process.
 *
 * Throughput: how fast a session moves 64 KiB frames through the TransportCipher, for each Noise
 * cipher: AESGCM (WebCrypto, native) and ChaChaPoly (@noble/ciphers, pure JS).
 *
 * One sample = SAMPLE_FRAMES frames sealed by one cipher and opened by its peer, the way
 * lib/sessions/secure-link.ts drives them: calls made without awaiting, up to WINDOW in flight.
 * Throughput counts each payload byte once (seal and open both included), in MB = 10^6 bytes per
 * second. Each round takes one sample of each cipher, in an order that flips every round, so
 * machine noise hits both alike; warm-up rounds are dropped; the figure is the median.
 *
 * Also printed: the same with one frame at a time (each awaited before the next), and AESGCM
 * rekeying every 64 frames and every frame (a sample never reaches DEFAULT_REKEY_INTERVAL), from
 * which the cost of one rekey follows.
 *
 * Latency: one complete XX handshake, both sides in this process with
 * both certificate checks, with the curves in WebCrypto and in noble; each curve operation alone;
 * and seal+open of one small frame by size: AES-GCM in WebCrypto, in noble (synchronous, no
 * thread round trip), and through the TransportCipher as sessions run it.
 *
 * The last line is exactly
 * `aesgcm-MBps=<n> chachapoly-MBps=<n> handshake-ms=<n> small-frame-us=<n>`: the handshake with
 * the platform's curves, and seal+open of a 64-byte frame through the TransportCipher as sessions
 * use it. A benchmark: it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gcm } from '@noble/ciphers/aes.js';
import { type Curve25519, nobleCurve25519, platformCurve25519 } from '../lib/crypto/curve25519';
import { createIdentity, type Identity, verifyStaticKeyAsync } from '../lib/crypto/identity';
import { Handshake, type NoiseCipher } from '../lib/crypto/noise';
import { aeadKey, ed25519 } from '../lib/crypto/primitives';
import { createTransportCipher, DEFAULT_REKEY_INTERVAL } from '../lib/crypto/transport-cipher';
import { median, quantile } from './stats';

const FRAME_BYTES = 64 * 1024;
const SAMPLE_FRAMES = 256;
const WINDOW = 16;
const ROUNDS = 9;
const WARMUP_ROUNDS = 2;

type Variant = { label: string; cipher: NoiseCipher; rekeyInterval: number; window: number };

const frames = Array.from({ length: SAMPLE_FRAMES }, () => new Uint8Array(randomBytes(FRAME_BYTES)));

/** One sample: MB/s for sealing and then opening every frame, `window` calls in flight at most. */
async function sample(variant: Variant): Promise<number> {
  const key = new Uint8Array(randomBytes(32));
  const send = createTransportCipher({ cipher: variant.cipher, key, rekeyInterval: variant.rekeyInterval });
  const receive = createTransportCipher({ cipher: variant.cipher, key, rekeyInterval: variant.rekeyInterval });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (const frame of frames) {
    const opened = send.seal(frame).then((sealed) => receive.open(sealed));
    inFlight.push(
      opened.then((plain) => {
        if (plain.length !== FRAME_BYTES) throw new Error('a frame came back the wrong size');
      }),
    );
    if (inFlight.length >= variant.window) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  return (SAMPLE_FRAMES * FRAME_BYTES) / 1e6 / seconds;
}

async function measure(variants: Variant[]): Promise<Map<string, number[]>> {
  const results = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const mbps = await sample(variant);
      if (round >= WARMUP_ROUNDS) results.get(variant.label)?.push(mbps);
    }
  }
  return results;
}

const format = (value: number) => value.toFixed(0).padStart(7);

// ---------------------------------------------------------------------------------------------
// Latency

const LATENCY_ROUNDS = 15;
const LATENCY_WARMUP_ROUNDS = 3;
const HANDSHAKES_PER_SAMPLE = 4;
const OPERATIONS_PER_SAMPLE = 40;
const SMALL_FRAME_SIZES = [64, 256, 512, 1024, 2048, 4096];
const SMALL_FRAME = 64;

const bytesFrom = (length: number) => new Uint8Array(randomBytes(length));

/** Milliseconds per call of `run`, `count` calls one after another (each awaited). */
async function perCall(count: number, run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await run();
  return (performance.now() - started) / count;
}

/**
 * Interleaved like the throughput rounds: one sample of each labelled task per round, the order
 * flipped every round, warm-up rounds dropped; the medians, in milliseconds.
 */
async function interleaved(tasks: [string, () => Promise<number>][]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(tasks.map(([label]) => [label, []]));
  for (let round = 0; round < LATENCY_WARMUP_ROUNDS + LATENCY_ROUNDS; round++) {
    for (const [label, task] of round % 2 === 0 ? tasks : [...tasks].reverse()) {
      const ms = await task();
      if (round >= LATENCY_WARMUP_ROUNDS) samples.get(label)?.push(ms);
    }
  }
  return new Map([...samples].map(([label, values]) => [label, median(values)]));
}

/**
 * One XX handshake as lib/sessions/secure-link.ts runs it, both sides here: create, three
 * messages, and each side checking the other's certificate before going on; then split.
 */
async function handshake(curve: Curve25519, alice: Identity, bob: Identity): Promise<void> {
  const prologue = new TextEncoder().encode('tincan/noise/v1 bench');
  const side = (initiator: boolean, me: Identity) =>
    Handshake.create({
      pattern: 'XX',
      initiator,
      cipher: 'AESGCM',
      prologue,
      s: { publicKey: me.staticPublic, secretKey: me.staticSecret },
      randomBytes: bytesFrom,
      curve,
    });
  const [initiator, responder] = [side(true, alice), side(false, bob)];
  const check = async (handshake: Handshake, peer: Identity) => {
    const staticKey = handshake.remoteStatic() ?? new Uint8Array(0);
    if (!(await verifyStaticKeyAsync(peer.signingPublic, staticKey, peer.certificate, curve))) {
      throw new Error('a certificate did not verify');
    }
  };
  await responder.readMessage(await initiator.writeMessage(new Uint8Array(0)));
  await initiator.readMessage(await responder.writeMessage(bob.certificate));
  await check(initiator, bob);
  await responder.readMessage(await initiator.writeMessage(alice.certificate));
  await check(responder, alice);
  initiator.split();
  responder.split();
}

/** Each curve operation on its own, as the handshake uses it. */
function curveOperations(label: string, curve: Curve25519): [string, () => Promise<number>][] {
  const peer = bytesFrom(32);
  const identity = createIdentity(bytesFrom);
  const message = bytesFrom(52);
  const signature = ed25519.sign(identity.signingSeed, message);
  const count = curve.x25519 === 'noble' ? OPERATIONS_PER_SAMPLE / 4 : OPERATIONS_PER_SAMPLE;
  return [
    [
      `${label}: new key (import, public key)`,
      () => perCall(count, async () => (await curve.importX25519Secret(bytesFrom(32))).publicKey()),
    ],
    [
      `${label}: X25519 with an imported key`,
      async () => {
        const secret = await curve.importX25519Secret(bytesFrom(32));
        const publicKey = await (await nobleCurve25519.importX25519Secret(peer)).publicKey();
        return perCall(count, () => secret.sharedSecret(publicKey));
      },
    ],
    [
      `${label}: Ed25519 verify`,
      () => perCall(count, () => curve.verifyEd25519(identity.signingPublic, message, signature)),
    ],
  ];
}

/**
 * Seal then open of one frame, awaited: the latency a chat message meets at each end. WebCrypto
 * as sessions run it, against noble's synchronous AES-GCM (same bytes), which sessions do not use:
 * it wins here, in Node, for small frames, but loses in Chromium (see primitives.ts).
 */
function frameRoundTrip(implementation: 'webcrypto' | 'noble', size: number): () => Promise<number> {
  const key = bytesFrom(32);
  const native = aeadKey('AES-256-GCM', key);
  const nonce = new Uint8Array(12);
  const frame = bytesFrom(size);
  const none = new Uint8Array(0);
  const once =
    implementation === 'webcrypto'
      ? async () => native.open(nonce, none, await native.seal(nonce, none, frame))
      : async () => gcm(key, nonce, none).decrypt(gcm(key, nonce, none).encrypt(frame));
  return () => perCall(OPERATIONS_PER_SAMPLE * 5, once);
}

/** Seal then open through the TransportCipher pair, the session's own path. */
function transportRoundTrip(size: number): () => Promise<number> {
  const key = bytesFrom(32);
  const send = createTransportCipher({ cipher: 'AESGCM', key });
  const receive = createTransportCipher({ cipher: 'AESGCM', key });
  const frame = bytesFrom(size);
  return () => perCall(OPERATIONS_PER_SAMPLE * 5, async () => receive.open(await send.seal(frame)));
}

const ms = (value: number | undefined) => (value ?? Number.NaN).toFixed(2).padStart(8);
const micros = (value: number | undefined) => ((value ?? Number.NaN) * 1000).toFixed(0).padStart(6);

async function measureLatency(): Promise<{ handshakeMs: number; smallFrameMicros: number }> {
  const platform = await platformCurve25519();
  console.log(
    `latency: ${LATENCY_ROUNDS} rounds (+${LATENCY_WARMUP_ROUNDS} warm-up), medians; this platform runs ` +
      `X25519 in ${platform.x25519}, Ed25519 verification in ${platform.ed25519}`,
  );
  const [alice, bob] = [createIdentity(bytesFrom), createIdentity(bytesFrom)];
  const handshakes = await interleaved([
    ['platform', () => perCall(HANDSHAKES_PER_SAMPLE, () => handshake(platform, alice, bob))],
    ['noble', () => perCall(HANDSHAKES_PER_SAMPLE, () => handshake(nobleCurve25519, alice, bob))],
  ]);
  console.log(
    `XX handshake, both sides with both certificate checks: ${ms(handshakes.get('platform'))} ms with the ` +
      `platform's curves, ${ms(handshakes.get('noble'))} ms all noble`,
  );
  const operations = await interleaved([
    ...curveOperations('WebCrypto', platform),
    ...curveOperations('noble', nobleCurve25519),
  ]);
  for (const [label, value] of operations) console.log(`  ${label.padEnd(42)} ${micros(value)} µs`);

  const routes = await interleaved(
    SMALL_FRAME_SIZES.flatMap((size): [string, () => Promise<number>][] => [
      [`webcrypto ${size}`, frameRoundTrip('webcrypto', size)],
      [`noble ${size}`, frameRoundTrip('noble', size)],
      [`transport ${size}`, transportRoundTrip(size)],
    ]),
  );
  console.log('seal+open of one frame, AES-256-GCM, µs (sessions: WebCrypto through the TransportCipher):');
  console.log(`  ${'bytes'.padStart(6)} ${'WebCrypto'.padStart(10)} ${'noble'.padStart(10)} ${'session'.padStart(10)}`);
  for (const size of SMALL_FRAME_SIZES) {
    const [web, js, session] = ['webcrypto', 'noble', 'transport'].map((route) => routes.get(`${route} ${size}`));
    console.log(
      `  ${String(size).padStart(6)} ${micros(web).padStart(10)} ${micros(js).padStart(10)} ${micros(session).padStart(10)}`,
    );
  }
  return {
    handshakeMs: handshakes.get('platform') ?? Number.NaN,
    smallFrameMicros: (routes.get(`transport ${SMALL_FRAME}`) ?? Number.NaN) * 1000,
  };
}

async function main(): Promise<void> {
  const pipelined: Variant[] = [
    { label: 'AESGCM', cipher: 'AESGCM', rekeyInterval: DEFAULT_REKEY_INTERVAL, window: WINDOW },
    { label: 'ChaChaPoly', cipher: 'ChaChaPoly', rekeyInterval: DEFAULT_REKEY_INTERVAL, window: WINDOW },
  ];
  const extra: Variant[] = [
    { label: 'AESGCM, one at a time', cipher: 'AESGCM', rekeyInterval: DEFAULT_REKEY_INTERVAL, window: 1 },
    { label: 'ChaChaPoly, one at a time', cipher: 'ChaChaPoly', rekeyInterval: DEFAULT_REKEY_INTERVAL, window: 1 },
    { label: 'AESGCM, rekey every 64', cipher: 'AESGCM', rekeyInterval: 64, window: WINDOW },
    { label: 'AESGCM, rekey every frame', cipher: 'AESGCM', rekeyInterval: 1, window: WINDOW },
  ];
  console.log(
    `${SAMPLE_FRAMES} frames of ${FRAME_BYTES} bytes per sample, ${ROUNDS} rounds (+${WARMUP_ROUNDS} warm-up), ` +
      `Node ${process.versions.node}`,
  );
  const results = new Map([...(await measure(pipelined)), ...(await measure(extra))]);
  console.log(`${'variant'.padEnd(30)} ${'median'.padStart(7)} ${'p10'.padStart(7)} ${'p90'.padStart(7)}  MB/s`);
  for (const [label, values] of results) {
    console.log(
      `${label.padEnd(30)} ${format(median(values))} ${format(quantile(values, 0.1))} ${format(quantile(values, 0.9))}`,
    );
  }
  const aes = median(results.get('AESGCM') ?? []);
  const chacha = median(results.get('ChaChaPoly') ?? []);
  const everyFrame = median(results.get('AESGCM, rekey every frame') ?? []);
  // Time per frame in µs is FRAME_BYTES / (MB/s); rekeying every frame adds one rekey to each.
  const rekeyMicros = FRAME_BYTES / everyFrame - FRAME_BYTES / aes;
  console.log(`AESGCM / ChaChaPoly: ${(aes / chacha).toFixed(1)}x; one rekey costs about ${rekeyMicros.toFixed(0)} µs`);
  console.log('');
  const latency = await measureLatency();
  console.log(
    `aesgcm-MBps=${aes.toFixed(0)} chachapoly-MBps=${chacha.toFixed(0)} ` +
      `handshake-ms=${latency.handshakeMs.toFixed(2)} small-frame-us=${latency.smallFrameMicros.toFixed(0)}`,
  );
}

await main();
