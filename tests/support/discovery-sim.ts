/**
 * Watching a crowd of fleet agents in network namespaces: whether every list is whole, and who
 * serves as router. Shared by the discovery simulation test and `npm run bench:discovery`.
 */
import type { AgentSnapshot } from '../../lib/agent/agent';
import type { AgentHandle, Fleet } from './fleet/fleet';

export type Member = { handle: AgentHandle; name: string };

export type NamespaceReading = {
  /** Every member lists exactly the other members, by name. */
  whole: boolean;
  /** How many members list everyone else (lists may name more: someone who left, still cached). */
  complete: number;
  routers: number;
  /** Ranks of the router and of every member's router, e.g. {1: 29, 2: 1}. */
  ranks: Record<number, number>;
  /** Settled: exactly one router, every other member belongs to it. */
  oneRouter: boolean;
};

export function visitOf(snapshot: AgentSnapshot) {
  const { status } = snapshot.network;
  return status.state === 'active' ? status.visit : undefined;
}

export function readNamespace(members: readonly Member[], snapshots: readonly AgentSnapshot[]): NamespaceReading {
  const names = members.map((m) => m.name);
  let wholeCount = 0;
  let complete = 0;
  let routers = 0;
  const ranks: Record<number, number> = {};
  snapshots.forEach((snapshot, i) => {
    const me = names[i];
    const listed = new Set(snapshot.network.peers.map((p) => p.name));
    const others = names.filter((n) => n !== me);
    const hasAll = others.every((n) => listed.has(n));
    if (hasAll) complete++;
    if (hasAll && listed.size === others.length) wholeCount++;
    const visit = visitOf(snapshot);
    if (visit?.state === 'router') routers++;
    if (visit?.state === 'router' || visit?.state === 'member') ranks[visit.rank] = (ranks[visit.rank] ?? 0) + 1;
  });
  const settledRanks = Object.keys(ranks);
  return {
    whole: wholeCount === members.length,
    complete,
    routers,
    ranks,
    oneRouter: routers === 1 && settledRanks.length === 1 && ranks[Number(settledRanks[0])] === members.length,
  };
}

export const snapshotsOf = (members: readonly Member[]) => Promise.all(members.map((m) => m.handle.snapshot()));

/** Polls until `done` holds for the namespace; resolves with the reading and the time it took. */
export async function until(
  members: readonly Member[],
  done: (reading: NamespaceReading, snapshots: AgentSnapshot[]) => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<{ reading: NamespaceReading; ms: number }> {
  const started = performance.now();
  for (;;) {
    const snapshots = await snapshotsOf(members);
    const reading = readNamespace(members, snapshots);
    if (done(reading, snapshots)) return { reading, ms: performance.now() - started };
    if (performance.now() - started > timeoutMs) {
      const states: Record<string, number> = {};
      for (const snapshot of snapshots) {
        const state = visitOf(snapshot)?.state ?? snapshot.network.status.state;
        states[state] = (states[state] ?? 0) + 1;
      }
      throw new Error(`namespace not settled after ${timeoutMs} ms: ${JSON.stringify({ ...reading, states })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Whole lists and one router: the state a namespace must always come back to. */
export const settled = (reading: NamespaceReading) => reading.whole && reading.oneRouter;

/**
 * A namespace behind `publicAddress`: its first member alone in a process (so it can be crashed
 * or killed; arriving first, it claims r1), then the rest spread over the shared hosts.
 */
export async function populate(
  fleet: Fleet,
  publicAddress: string,
  count: number,
  prefix: string,
  batch = count,
): Promise<Member[]> {
  const firstName = `${prefix}0`;
  const first = await fleet.startAlone({ name: firstName, publicAddress });
  await first.waitFor((s) => visitOf(s)?.state === 'router' || undefined, 10_000);
  const members: Member[] = [{ handle: first, name: firstName }];
  // In batches: people arrive over time, not all in the same millisecond.
  for (let start = 1; start < count; start += batch) {
    const names = Array.from({ length: Math.min(batch, count - start) }, (_, i) => `${prefix}${start + i}`);
    const started = await Promise.all(
      names.map(async (name) => ({ handle: await fleet.start({ name, publicAddress }), name })),
    );
    members.push(...started);
  }
  return members;
}
