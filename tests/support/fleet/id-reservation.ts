/**
 * Whether the signaling server still holds an id for someone: a bare PeerJS Peer tries to
 * register it, and is closed again whatever happens.
 */
import type { SignalingServer } from '../../../lib/store/settings';
import { createBarePeer } from '../bare-peer';

/** 'registered', or the PeerJS error type the attempt ended with ('unavailable-id' when taken). */
export function tryToRegister(signaling: SignalingServer, id: string, timeoutMs = 5_000): Promise<string> {
  const peer = createBarePeer(signaling, id);
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('no-answer'), timeoutMs);
    const done = (outcome: string) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    peer.once('open', () => done('registered'));
    peer.once('error', (error) => done(error.type));
  }).finally(() => peer.destroy());
}

/** Tries every `everyMs` until the id can be registered; resolves with the milliseconds that took. */
export async function whenFree(signaling: SignalingServer, id: string, withinMs: number, everyMs = 250) {
  const started = Date.now();
  for (;;) {
    const outcome = await tryToRegister(signaling, id);
    if (outcome === 'registered') return Date.now() - started;
    if (outcome !== 'unavailable-id') throw new Error(`registering ${id}: ${outcome}`);
    if (Date.now() - started > withinMs) throw new Error(`${id} still taken after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
