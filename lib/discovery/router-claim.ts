/**
 * Claiming a router id: registering exactly `{root}-{ns}-r{k}` on the signaling server, which
 * gives an id to one peer at a time. That is the whole vote (router-election.ts).
 */
import type { Transport } from '../transport/transport';

/** A `nextAddress` for a registration that wants this id or none (never a fresh one). */
export function onlyAddress(id: string): () => string | undefined {
  let asked = false;
  return () => {
    if (asked) return undefined;
    asked = true;
    return id;
  };
}

/**
 * Registers `id` and reports once: `true` when it is ours, `false` when it was taken (or the
 * server would not have us; either way not ours), by which time the transport is stopped.
 */
export function claimRouterId(
  openTransport: (nextAddress: () => string | undefined) => Transport,
  id: string,
  onSettled: (won: boolean, transport: Transport) => void,
): Transport {
  const transport = openTransport(onlyAddress(id));
  let settled = false;
  const settle = () => {
    const { status } = transport;
    if (settled || status.state === 'connecting') return;
    settled = true;
    off();
    if (status.state !== 'online') transport.stop();
    onSettled(status.state === 'online', transport);
  };
  const off = transport.onStatus(settle);
  // A transport can fail while it is made (a server URL it cannot parse): report that after
  // the caller holds the transport, never during this call.
  void Promise.resolve().then(settle);
  return transport;
}
