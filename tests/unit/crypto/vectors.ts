/** Reads the shared known-answer files from `../shared/vectors` beside the checkout (never copied in). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../../lib/bytes';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const vectorsDir = join(repoRoot, '..', 'shared', 'vectors');

export function readVectors(file: string): unknown {
  return JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
}

/** Narrowing helpers: the files are data from elsewhere, so every field is checked before use. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(record: Record<string, unknown>, name: string): string {
  const value = record[name];
  if (typeof value !== 'string') throw new Error(`vector field ${name} is not a string`);
  return value;
}

export function hex(record: Record<string, unknown>, name: string): Uint8Array {
  return fromHex(text(record, name));
}

export function optionalHex(record: Record<string, unknown>, name: string): Uint8Array | undefined {
  return record[name] === undefined ? undefined : hex(record, name);
}

export function records(value: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(value) || !value.every(isRecord)) throw new Error(`${what} is not a list of objects`);
  return value;
}

export function num(record: Record<string, unknown>, name: string): number {
  const value = record[name];
  if (typeof value !== 'number') throw new Error(`vector field ${name} is not a number`);
  return value;
}
