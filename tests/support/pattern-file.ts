/** Large test files without large test fixtures. */
import { createHash } from 'node:crypto';

/** Seeded bytes (not random: a failure can be replayed), without holding two copies. */
export function patternFile(bytes: number, seed = 1): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const block = 1024 * 1024;
  let x = seed >>> 0 || 1;
  for (let at = 0; at < bytes; at += block) {
    const part = new Uint8Array(Math.min(block, bytes - at));
    for (let i = 0; i < part.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      part[i] = x & 0xff;
      part[i + 1] = (x >>> 8) & 0xff;
      part[i + 2] = (x >>> 16) & 0xff;
      part[i + 3] = (x >>> 24) & 0xff;
    }
    parts.push(part);
  }
  return new Blob(parts);
}

export async function sha256Of(blob: Blob): Promise<string> {
  const hash = createHash('sha256');
  const step = 4 * 1024 * 1024;
  for (let at = 0; at < blob.size; at += step)
    hash.update(new Uint8Array(await blob.slice(at, at + step).arrayBuffer()));
  return hash.digest('hex');
}
