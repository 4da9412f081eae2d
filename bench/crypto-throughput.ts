/**
 * `npx tsx bench/crypto-throughput.ts`: how fast a session moves 64 KiB frames through the
 * TransportCipher, for each Noise cipher: AESGCM (WebCrypto, native) and ChaChaPoly
 * (@noble/ciphers, pure JS).
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
 * The last line is exactly `aesgcm-MBps=<n> chachapoly-MBps=<n>`. A benchmark: it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NoiseCipher } from '../lib/crypto/noise';
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
  console.log(`aesgcm-MBps=${aes.toFixed(0)} chachapoly-MBps=${chacha.toFixed(0)}`);
}

await main();
