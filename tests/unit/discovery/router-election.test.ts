import { describe, expect, it } from 'vitest';
import {
  type ElectionTimer,
  MAX_JITTER_MS,
  MAX_ROUTER_RANK,
  newRouterElection,
  PROBE_EVERY_MS,
  RETRY_AFTER_MS,
  type RouterElection,
  type RouterElectionEffect,
  type RouterElectionEvent,
  type RouterRank,
  reduceRouterElection,
  routerId,
  settledRank,
} from '../../../lib/discovery/router-election';

const ROOT = 'tincan';
const NS = 'abcdefghijklmnop';
const r = (rank: RouterRank) => routerId(ROOT, NS, rank);

/** Drives one agent's election through events in order, keeping every step's effects. */
function run(events: RouterElectionEvent[], from: RouterElection = newRouterElection(ROOT, NS)) {
  let state = from;
  const effects: RouterElectionEffect[][] = [];
  for (const event of events) {
    const step = reduceRouterElection(state, event);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects, last: effects.at(-1) ?? [] };
}

const member = (rank: RouterRank = 1): RouterElectionEvent[] => [
  { type: 'start' },
  { type: 'claim-refused', rank: 1 },
  ...Array.from({ length: rank - 1 }, (_, i): RouterElectionEvent[] => [
    { type: 'join-failed', rank: i + 1 },
    { type: 'claim-refused', rank: i + 2 },
  ]).flat(),
  { type: 'joined', rank },
];
const router = (rank: RouterRank = 1): RouterElectionEvent[] => [
  { type: 'start' },
  ...Array.from({ length: rank - 1 }, (_, i): RouterElectionEvent[] => [
    { type: 'claim-refused', rank: i + 1 },
    { type: 'join-failed', rank: i + 1 },
  ]).flat(),
  { type: 'claimed', rank },
];

describe('router ids', () => {
  it('are {root}-{ns}-r{k}', () => {
    expect(routerId('tincan', 'abcdefghijklmnop', 1)).toBe('tincan-abcdefghijklmnop-r1');
    expect(routerId('tincan', 'abcdefghijklmnop', 12)).toBe('tincan-abcdefghijklmnop-r12');
  });

  it.each([0, -1, 1.5, Number.NaN])('rank %s is refused', (rank) => {
    expect(() => routerId(ROOT, NS, rank)).toThrow(RangeError);
  });
});

describe('one agent electing a router', () => {
  it('starts by claiming r1', () => {
    const { state, last } = run([{ type: 'start' }]);
    expect(state.phase).toEqual({ kind: 'claiming', rank: 1 });
    expect(last).toEqual([{ type: 'claim', rank: 1, id: r(1) }]);
  });

  it('the first in a namespace becomes the router at r1, with an empty registry and nothing to probe', () => {
    const { state, last } = run(router(1));
    expect(state.phase).toEqual({ kind: 'router', rank: 1 });
    expect(last).toEqual([{ type: 'serve', rank: 1, id: r(1), registry: 'empty' }]);
  });

  it('finding r1 taken, joins it as a member', () => {
    const { state, effects } = run(member(1));
    expect(effects[1]).toEqual([{ type: 'join', rank: 1, id: r(1) }]);
    expect(state.phase).toEqual({ kind: 'member', rank: 1 });
    expect(settledRank(state)).toBe(1);
  });

  it("r1 taken but silent (a crashed router's reservation): claims r2", () => {
    const { last } = run([{ type: 'start' }, { type: 'claim-refused', rank: 1 }, { type: 'join-failed', rank: 1 }]);
    expect(last).toEqual([{ type: 'claim', rank: 2, id: r(2) }]);
  });

  it('r1 answered but closed on us (a router on its way out): waits out the jitter and claims r1 again, not r2', () => {
    const { state, effects } = run([
      { type: 'start' },
      { type: 'claim-refused', rank: 1 },
      { type: 'join-refused', rank: 1, jitterMs: 1_200 },
      { type: 'timer-fired', timer: 'jitter' },
    ]);
    expect(effects.at(-2)).toEqual([{ type: 'start-timer', timer: 'jitter', ms: 1_200 }]);
    expect(effects.at(-1)).toEqual([{ type: 'claim', rank: 1, id: r(1) }]);
    expect(state.phase).toEqual({ kind: 'claiming', rank: 1 });
  });

  it('a refusal for a join we already gave up on changes nothing', () => {
    const { last } = run([...member(1), { type: 'join-refused', rank: 1, jitterMs: 0 }]);
    expect(last).toEqual([]);
  });

  it('a router above r1 keeps probing every lower id on a timer', () => {
    const { state, effects } = run([...router(3), { type: 'timer-fired', timer: 'probe' }]);
    expect(effects.at(-2)).toEqual([
      { type: 'serve', rank: 3, id: r(3), registry: 'empty' },
      { type: 'start-timer', timer: 'probe', ms: PROBE_EVERY_MS },
    ]);
    expect(effects.at(-1)).toEqual([
      { type: 'probe', rank: 1, id: r(1) },
      { type: 'probe', rank: 2, id: r(2) },
      { type: 'start-timer', timer: 'probe', ms: PROBE_EVERY_MS },
    ]);
    expect(state.phase).toEqual({ kind: 'router', rank: 3 });
  });

  it(`gives up past r${MAX_ROUTER_RANK}, says so, and tries the ladder again later`, () => {
    const { state, last } = run([
      { type: 'start' },
      ...Array.from({ length: MAX_ROUTER_RANK }, (_, i): RouterElectionEvent[] => [
        { type: 'claim-refused', rank: i + 1 },
        { type: 'join-failed', rank: i + 1 },
      ]).flat(),
    ]);
    expect(state.phase).toEqual({ kind: 'gave-up', reason: 'no-free-rank' });
    expect(settledRank(state)).toBeUndefined();
    expect(last).toEqual([{ type: 'start-timer', timer: 'retry', ms: RETRY_AFTER_MS }]);
    const retry = run([{ type: 'timer-fired', timer: 'retry' }], state);
    expect(retry.last).toEqual([{ type: 'claim', rank: 1, id: r(1) }]);
  });
});

describe('losing the router', () => {
  it('a member waits out the jitter it was given, then claims r1 and serves from its cache', () => {
    const lost = run([...member(1), { type: 'router-lost', jitterMs: 1_234 }]);
    expect(lost.state.phase).toEqual({ kind: 'waiting' });
    expect(lost.last).toEqual([{ type: 'start-timer', timer: 'jitter', ms: 1_234 }]);
    const { state, effects } = run(
      [
        { type: 'timer-fired', timer: 'jitter' },
        { type: 'claimed', rank: 1 },
      ],
      lost.state,
    );
    expect(effects[0]).toEqual([{ type: 'claim', rank: 1, id: r(1) }]);
    expect(effects[1]).toEqual([{ type: 'serve', rank: 1, id: r(1), registry: 'cache' }]);
    expect(state.phase).toEqual({ kind: 'router', rank: 1 });
  });

  it.each([
    [-5, 0],
    [99_999, MAX_JITTER_MS],
    [Number.NaN, MAX_JITTER_MS],
  ])('a jitter draw of %s is kept within 0–3 s (%s)', (drawn, used) => {
    const { last } = run([...member(1), { type: 'router-lost', jitterMs: drawn }]);
    expect(last).toEqual([{ type: 'start-timer', timer: 'jitter', ms: used }]);
  });

  it('a router that lost its own registration re-elects the same way', () => {
    const { state, last } = run([...router(1), { type: 'router-lost', jitterMs: 10 }]);
    expect(state.phase).toEqual({ kind: 'waiting' });
    expect(last).toEqual([{ type: 'start-timer', timer: 'jitter', ms: 10 }]);
  });
});

describe('routers above r1 moving down', () => {
  it('a lower router that answers gets our registry, and we join it', () => {
    const { state, last } = run([...router(2), { type: 'probe-result', rank: 1, outcome: 'answered' }]);
    expect(last).toEqual([
      { type: 'hand-over', rank: 1, id: r(1), from: r(2) },
      { type: 'join', rank: 1, id: r(1) },
    ]);
    expect(state.phase).toEqual({ kind: 'joining', rank: 1 });
  });

  it('a lower id that became free is claimed; once held, the registry moves there and the old id is released', () => {
    const moving = run([...router(2), { type: 'probe-result', rank: 1, outcome: 'free' }]);
    expect(moving.last).toEqual([{ type: 'claim', rank: 1, id: r(1) }]);
    expect(moving.state.phase).toEqual({ kind: 'router', rank: 2, movingTo: 1 });
    const { state, last } = run([{ type: 'claimed', rank: 1 }], moving.state);
    expect(last).toEqual([
      { type: 'serve', rank: 1, id: r(1), registry: 'current' },
      { type: 'release', rank: 2, id: r(2) },
    ]);
    expect(state.phase).toEqual({ kind: 'router', rank: 1 });
  });

  it('losing the race for the free id leaves us serving where we were', () => {
    const { state, last } = run([
      ...router(2),
      { type: 'probe-result', rank: 1, outcome: 'free' },
      { type: 'claim-refused', rank: 1 },
    ]);
    expect(state.phase).toEqual({ kind: 'router', rank: 2 });
    expect(last).toEqual([]);
  });

  it('a silent lower id (still reserved) changes nothing', () => {
    const before = run(router(2)).state;
    const { state, last } = run([{ type: 'probe-result', rank: 1, outcome: 'silent' }], before);
    expect(state).toEqual(before);
    expect(last).toEqual([]);
  });
});

describe('stale and out-of-place events', () => {
  it('a claim that succeeds after we moved on is released at once', () => {
    const { state, last } = run([...router(2), { type: 'stop' }, { type: 'claimed', rank: 1 }]);
    expect(state.phase).toEqual({ kind: 'idle' });
    expect(last).toEqual([{ type: 'release', rank: 1, id: r(1) }]);
  });

  it.each<[string, RouterElectionEvent[], RouterElectionEvent]>([
    [
      'a join answer for another rank',
      [{ type: 'start' }, { type: 'claim-refused', rank: 1 }],
      { type: 'joined', rank: 2 },
    ],
    ['a timer from an earlier phase', member(1), { type: 'timer-fired', timer: 'jitter' }],
    ['a probe timer at r1', router(1), { type: 'timer-fired', timer: 'probe' }],
    ['a probe result from a higher id', router(2), { type: 'probe-result', rank: 3, outcome: 'answered' }],
    ['a second start', member(1), { type: 'start' }],
    ['losing a router we never had', [{ type: 'start' }], { type: 'router-lost', jitterMs: 5 }],
  ])('%s changes nothing', (_, before, event) => {
    const start = run(before).state;
    const { state, last } = run([event], start);
    expect(state).toEqual(start);
    expect(last).toEqual([]);
  });

  it('stopping closes what we hold and cancels every timer', () => {
    expect(run([...router(2), { type: 'stop' }]).last).toEqual([
      { type: 'release', rank: 2, id: r(2) },
      { type: 'cancel-timers' },
    ]);
    expect(run([...member(1), { type: 'stop' }]).last).toEqual([
      { type: 'leave', rank: 1, id: r(1) },
      { type: 'cancel-timers' },
    ]);
  });
});

/**
 * Several agents' reducers against a fake signaling server: a map of registered ids, some held
 * by crashed agents (reserved, silent). Effects hit the server at once (it is the arbiter);
 * their answers queue up as events, delivered in order. Time moves only when a test fires timers.
 */
class Namespace {
  readonly agents = new Map<string, RouterElection>();
  /** id → the agent holding it, and whether that agent crashed. */
  readonly registered = new Map<string, { owner: string; crashed: boolean }>();
  /** agent → the router id it is a member of. */
  readonly memberships = new Map<string, string>();
  readonly timers = new Map<string, Map<ElectionTimer, number>>();
  readonly handOvers: { from: string; to: string }[] = [];
  private readonly queue: [string, RouterElectionEvent][] = [];
  private draws = 0;

  constructor(names: string[]) {
    for (const name of names) this.agents.set(name, newRouterElection(ROOT, NS));
  }

  send(name: string, event: RouterElectionEvent) {
    this.queue.push([name, event]);
  }

  /** Deterministic stand-in for the adapter's random jitter draw. */
  private jitter(): number {
    this.draws += 1;
    return (this.draws * 997) % MAX_JITTER_MS;
  }

  /** Deliver queued events (and the events their effects cause) until nothing is in flight. */
  drain() {
    // An election that never settles must fail the test, not hang it.
    let budget = 100_000;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      if (--budget < 0) throw new Error('events never settled');
      const [name, event] = next;
      const state = this.agents.get(name);
      if (!state) continue; // killed or crashed: nothing arrives any more
      const step = reduceRouterElection(state, event);
      this.agents.set(name, step.state);
      for (const effect of step.effects) this.apply(name, effect);
    }
  }

  /** Fire pending timers of these kinds, earliest first, letting each one's consequences settle. */
  fire(kinds: ElectionTimer[] = ['jitter', 'retry']) {
    for (let round = 0; round < 1_000; round++) {
      this.drain();
      const due = [...this.timers]
        .flatMap(([name, named]) => [...named].map(([timer, ms]) => ({ name, timer, ms })))
        .filter((t) => kinds.includes(t.timer))
        .sort((a, b) => a.ms - b.ms)[0];
      if (!due) return;
      this.timers.get(due.name)?.delete(due.timer);
      this.send(due.name, { type: 'timer-fired', timer: due.timer });
    }
    throw new Error('timers never settled');
  }

  /** Every router above r1 probes once (its probe timer re-arms itself, so it never settles). */
  probeOnce() {
    this.drain();
    for (const [name, named] of this.timers) {
      if (named.delete('probe')) this.send(name, { type: 'timer-fired', timer: 'probe' });
    }
    this.drain();
  }

  private apply(name: string, effect: RouterElectionEffect) {
    switch (effect.type) {
      case 'claim':
        if (this.registered.has(effect.id)) this.send(name, { type: 'claim-refused', rank: effect.rank });
        else {
          this.registered.set(effect.id, { owner: name, crashed: false });
          this.send(name, { type: 'claimed', rank: effect.rank });
        }
        return;
      case 'join': {
        const holder = this.registered.get(effect.id);
        if (holder && !holder.crashed) {
          this.memberships.set(name, effect.id);
          this.send(name, { type: 'joined', rank: effect.rank });
        } else this.send(name, { type: 'join-failed', rank: effect.rank });
        return;
      }
      case 'probe': {
        const holder = this.registered.get(effect.id);
        const outcome = !holder ? 'free' : holder.crashed ? 'silent' : 'answered';
        this.send(name, { type: 'probe-result', rank: effect.rank, outcome });
        return;
      }
      case 'hand-over':
        this.handOvers.push({ from: effect.from, to: effect.id });
        this.release(effect.from);
        return;
      case 'release':
        this.release(effect.id);
        return;
      case 'leave':
        this.memberships.delete(name);
        return;
      case 'serve':
        return;
      case 'start-timer': {
        const named = this.timers.get(name) ?? new Map<ElectionTimer, number>();
        named.set(effect.timer, effect.ms);
        this.timers.set(name, named);
        return;
      }
      case 'cancel-timers':
        this.timers.delete(name);
        return;
    }
  }

  /** The id is gone from the server: its members' channels close. */
  private release(id: string) {
    this.registered.delete(id);
    for (const [member, of] of [...this.memberships]) {
      if (of !== id) continue;
      this.memberships.delete(member);
      this.send(member, { type: 'router-lost', jitterMs: this.jitter() });
    }
  }

  /** Clean close: the browser quits, the server drops its ids, members see their channels close. */
  kill(name: string) {
    this.agents.delete(name);
    this.timers.delete(name);
    this.memberships.delete(name);
    for (const [id, holder] of [...this.registered]) if (holder.owner === name) this.release(id);
  }

  /** No clean close: the server keeps the ids reserved; members notice missed pings. */
  crash(name: string) {
    this.agents.delete(name);
    this.timers.delete(name);
    this.memberships.delete(name);
    for (const [id, holder] of this.registered) {
      if (holder.owner !== name) continue;
      holder.crashed = true;
      for (const [member, of] of [...this.memberships]) {
        if (of !== id) continue;
        this.memberships.delete(member);
        this.send(member, { type: 'router-lost', jitterMs: this.jitter() });
      }
    }
  }

  /** The server finally times out a crashed agent's registrations. */
  expireReservations() {
    for (const [id, holder] of [...this.registered]) if (holder.crashed) this.registered.delete(id);
  }

  routers(): { name: string; id: string }[] {
    return [...this.agents]
      .filter(([, state]) => state.phase.kind === 'router')
      .map(([name, state]) => ({ name, id: r(settledRank(state) ?? 0) }));
  }

  /** Exactly one router, and every other agent a member connected to it. */
  expectSettledOn(rank: RouterRank) {
    const routers = this.routers();
    expect(routers).toHaveLength(1);
    const [only] = routers;
    expect(only?.id).toBe(r(rank));
    for (const [name, state] of this.agents) {
      if (name === only?.name) continue;
      expect(state.phase, name).toEqual({ kind: 'member', rank });
      expect(this.memberships.get(name), name).toBe(r(rank));
    }
  }
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `agent-${i + 1}`);

describe('a namespace of agents', () => {
  it('N agents starting at once converge on one router at r1', () => {
    const net = new Namespace(names(30));
    for (const name of net.agents.keys()) net.send(name, { type: 'start' });
    net.fire();
    net.expectSettledOn(1);
    expect(net.registered.get(r(1))?.owner).toBe('agent-1');
  });

  it('two agents racing for r1: the server gives it to one, the other joins', () => {
    const net = new Namespace(['alice', 'bob']);
    net.send('bob', { type: 'start' });
    net.send('alice', { type: 'start' });
    net.fire();
    net.expectSettledOn(1);
    expect(net.registered.get(r(1))?.owner).toBe('bob');
  });

  it('killing the router (clean close) leaves exactly one new router at r1, started from its cache', () => {
    const net = new Namespace(names(10));
    for (const name of net.agents.keys()) net.send(name, { type: 'start' });
    net.fire();
    net.kill('agent-1');
    net.fire();
    net.expectSettledOn(1);
    const [winner] = net.routers();
    expect(winner?.name).not.toBe('agent-1');
    expect(net.agents.get(winner?.name ?? '')?.hasCache).toBe(true);
  });

  it('a crashed router: members fail over to r2, then converge back to r1 once the reservation expires', () => {
    const net = new Namespace(names(8));
    for (const name of net.agents.keys()) net.send(name, { type: 'start' });
    net.fire();
    net.crash('agent-1');
    net.fire();
    net.expectSettledOn(2);

    net.probeOnce(); // still reserved: r2 stays
    net.fire();
    net.expectSettledOn(2);

    net.expireReservations();
    net.probeOnce();
    net.fire();
    net.expectSettledOn(1);
  });

  it('a newcomer who takes the freed r1 first gets the r2 router handed over to it', () => {
    const net = new Namespace(names(5));
    for (const name of net.agents.keys()) net.send(name, { type: 'start' });
    net.fire();
    net.crash('agent-1');
    net.fire();
    net.expectSettledOn(2);

    net.expireReservations();
    net.agents.set('newcomer', newRouterElection(ROOT, NS));
    net.send('newcomer', { type: 'start' });
    net.drain();
    expect(net.registered.get(r(1))?.owner).toBe('newcomer');
    net.probeOnce();
    net.fire();
    expect(net.handOvers).toEqual([{ from: r(2), to: r(1) }]);
    net.expectSettledOn(1);
    expect(net.routers()[0]?.name).toBe('newcomer');
  });

  it('two crashes in a row: members climb to r3, and come back down as reservations expire', () => {
    const net = new Namespace(names(6));
    for (const name of net.agents.keys()) net.send(name, { type: 'start' });
    net.fire();
    net.crash('agent-1');
    net.fire();
    const [second] = net.routers();
    net.crash(second?.name ?? '');
    net.fire();
    net.expectSettledOn(3);

    net.expireReservations();
    net.probeOnce();
    net.fire();
    net.expectSettledOn(1);
  });
});
