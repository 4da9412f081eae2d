import { describe, expect, it } from 'vitest';
import {
  type ContactReach,
  newContactReach,
  type ReachEffect,
  type ReachEvent,
  reachLabel,
  reduceContactReach,
} from '../../../lib/rendezvous/contact-reach';

const OLD = 'tincan-t-oldaddressoldaddress';
const NEW = 'tincan-t-newaddressnewaddress';
const SLOT_ID = 'tincan-v-abcdefghijklmnopqrstuvwxyz-r1';

const contact = (options: Partial<Pick<ContactReach, 'special' | 'paused' | 'address' | 'blocked'>> = {}) =>
  newContactReach({ contactKey: 'bob', special: true, paused: false, address: OLD, blocked: [], ...options });
const ordinary = (options: Partial<Pick<ContactReach, 'address' | 'blocked'>> = {}) =>
  contact({ special: false, ...options });

/** Drives one contact's reach through events in order, keeping every step's effects. */
function run(events: ReachEvent[], from: ContactReach = contact()) {
  let state = from;
  const effects: ReachEffect[][] = [];
  for (const event of events) {
    const step = reduceContactReach(state, event);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects, last: effects.at(-1) ?? [] };
}

const start: ReachEvent = { type: 'start' };
const ready = (address = OLD): ReachEvent => ({ type: 'session-ready', address });
const lost: ReachEvent = { type: 'session-lost' };
const retry: ReachEvent = { type: 'retry' };
const unreachable = (address = OLD): ReachEvent => ({ type: 'dial-failed', address, problem: 'unreachable' });
const wrongKey = (address = OLD): ReachEvent => ({ type: 'dial-failed', address, problem: 'wrong-key' });
const learned = (address: string): ReachEvent => ({ type: 'address-learned', address });
const options = (special: boolean, paused: boolean): ReachEvent => ({ type: 'options', special, paused });
/** Started and connected at the old address. */
const online: ReachEvent[] = [start, ready()];

describe('when the agent starts', () => {
  it('a special contact is dialled at its last address and looked for in the slot at once', () => {
    const { state, last } = run([start]);
    expect(last).toEqual([{ type: 'dial', address: OLD }, { type: 'join-slots' }]);
    expect(state.phase).toEqual({ kind: 'reconnecting', dialing: true, unanswered: false });
    expect(state.inSlots).toBe(true);
    expect(reachLabel(state)).toBe('reconnecting');
  });

  it('an ordinary contact is only dialled, so its queued messages can go', () => {
    const { state, last } = run([start], ordinary());
    expect(last).toEqual([{ type: 'dial', address: OLD }]);
    expect(state.inSlots).toBe(false);
  });

  it('a special contact whose rendezvous is paused is only dialled', () => {
    expect(run([start], contact({ paused: true })).last).toEqual([{ type: 'dial', address: OLD }]);
  });

  it('a contact with no address yet is not dialled; a special one still goes to the slot', () => {
    expect(run([start], contact({ address: '' })).last).toEqual([{ type: 'join-slots' }]);
    const { state, last } = run([start], ordinary({ address: '' }));
    expect(last).toEqual([]);
    expect(reachLabel(state)).toBe('offline');
  });

  it('starting twice does nothing the second time', () => {
    expect(run([start, start]).last).toEqual([]);
  });

  it('before the agent starts, a contact is offline and nothing is done for it', () => {
    const { state, last } = run([retry, lost, unreachable(), options(true, false)]);
    expect(last).toEqual([]);
    expect(state.phase).toEqual({ kind: 'idle' });
    expect(reachLabel(state)).toBe('offline');
  });
});

describe('a session with the contact', () => {
  it('from a direct dial makes it online and leaves the slot', () => {
    const { state, last } = run(online);
    expect(last).toEqual([{ type: 'leave-slots' }]);
    expect(state.phase).toEqual({ kind: 'connected', address: OLD });
    expect(state.inSlots).toBe(false);
    expect(reachLabel(state)).toBe('online');
  });

  it('from a meeting in the slot makes it online too, without keeping the slot id as its address', () => {
    const { state, last } = run([start, ready(SLOT_ID)]);
    expect(last).toEqual([{ type: 'leave-slots' }]);
    expect(state.phase).toEqual({ kind: 'connected', address: SLOT_ID });
    expect(state.address).toBe(OLD);
  });

  it('for an ordinary contact has no slot to leave', () => {
    expect(run(online, ordinary()).last).toEqual([]);
  });
});

describe('when a session is lost', () => {
  it('a special contact is dialled at its last address and the slot is joined at once, not after the dial times out', () => {
    const { state, last } = run([...online, lost]);
    expect(last).toEqual([{ type: 'dial', address: OLD }, { type: 'join-slots' }]);
    expect(state.phase).toEqual({ kind: 'reconnecting', dialing: true, unanswered: false });
    expect(reachLabel(state)).toBe('reconnecting');
  });

  it('an ordinary contact is dialled again at its last address', () => {
    expect(run([...online, lost], ordinary()).last).toEqual([{ type: 'dial', address: OLD }]);
  });

  it('a session lost twice is one loss', () => {
    expect(run([...online, lost, lost]).last).toEqual([]);
  });

  it('the address no one answers at leaves a special contact in the slot, still reconnecting', () => {
    const { state, last } = run([...online, lost, unreachable()]);
    expect(last).toEqual([]);
    expect(state.phase).toEqual({ kind: 'reconnecting', dialing: false, unanswered: true });
    expect(state.inSlots).toBe(true);
    expect(reachLabel(state)).toBe('reconnecting');
  });

  it('an ordinary contact no one answers for is offline, and stays offline while it is retried', () => {
    const gone = run([...online, lost, unreachable()], ordinary());
    expect(reachLabel(gone.state)).toBe('offline');
    const retried = run([retry], gone.state);
    expect(retried.last).toEqual([{ type: 'dial', address: OLD }]);
    expect(reachLabel(retried.state)).toBe('offline');
  });
});

describe('retries from the periodic tick', () => {
  it('dial the last address again once the previous dial has failed', () => {
    const { state, last } = run([start, unreachable(), retry]);
    expect(last).toEqual([{ type: 'dial', address: OLD }]);
    expect(state.phase).toEqual({ kind: 'reconnecting', dialing: true, unanswered: true });
  });

  it('never start a second dial while one is out', () => {
    expect(run([start, retry, retry]).last).toEqual([]);
  });

  it('keep a special contact in its slot without leaving and joining again', () => {
    const { state, effects } = run([start, unreachable(), retry, unreachable(), retry]);
    expect(effects.slice(1).flat()).toEqual([
      { type: 'dial', address: OLD },
      { type: 'dial', address: OLD },
    ]);
    expect(state.inSlots).toBe(true);
  });

  it('do nothing for a contact who is online', () => {
    expect(run([...online, retry]).last).toEqual([]);
  });

  it('do nothing for a contact with no address to dial', () => {
    expect(run([start, retry], ordinary({ address: '' })).last).toEqual([]);
  });
});

describe('a squatter on the old id', () => {
  it('is never dialled again, and the slot is joined', () => {
    const { state, effects } = run([start, ready(), lost, wrongKey(), retry, lost]);
    expect(effects[3]).toEqual([{ type: 'block-address', address: OLD }]);
    expect(effects.slice(4).flat()).toEqual([]);
    expect(state.blocked).toEqual([OLD]);
    expect(state.inSlots).toBe(true);
    expect(state.phase).toEqual({ kind: 'recovering', dialing: false });
    expect(reachLabel(state)).toBe('recovering');
  });

  it('makes an ordinary contact recovering, with nothing left to dial', () => {
    const { state, effects } = run([start, wrongKey(), retry], ordinary());
    expect(effects[1]).toEqual([{ type: 'block-address', address: OLD }]);
    expect(effects[2]).toEqual([]);
    expect(reachLabel(state)).toBe('recovering');
  });

  it('found while a session is up through the slot is blocked, and the contact stays online', () => {
    const { state, last } = run([...online, lost, ready(SLOT_ID), wrongKey()]);
    expect(last).toEqual([{ type: 'block-address', address: OLD }]);
    expect(state.phase).toEqual({ kind: 'connected', address: SLOT_ID });
    expect(run([...online, lost, ready(SLOT_ID), wrongKey(), lost]).last).toEqual([{ type: 'join-slots' }]);
  });

  it('is not dialled when the contact introduces that id again', () => {
    const { state, last } = run([start, wrongKey(), learned(NEW), unreachable(NEW), learned(OLD), retry]);
    expect(state.address).toBe(NEW);
    expect(last).toEqual([{ type: 'dial', address: NEW }]);
  });

  it('blocked before the agent started is not dialled at start; a special contact goes to the slot', () => {
    expect(run([start], contact({ blocked: [OLD] })).last).toEqual([{ type: 'join-slots' }]);
    expect(run([start], ordinary({ blocked: [OLD] })).last).toEqual([]);
  });

  it('answering again is blocked once', () => {
    expect(run([start, wrongKey(), wrongKey()]).last).toEqual([]);
  });

  it('ends with a session from the slot: online again', () => {
    const { state, last } = run([start, wrongKey(), ready(SLOT_ID)]);
    expect(last).toEqual([{ type: 'leave-slots' }]);
    expect(reachLabel(state)).toBe('online');
  });
});

describe('a new address from the contact', () => {
  it('is dialled at once while the contact is not online', () => {
    const { state, last } = run([start, unreachable(), learned(NEW)]);
    expect(last).toEqual([{ type: 'dial', address: NEW }]);
    expect(state.address).toBe(NEW);
    expect(reachLabel(state)).toBe('reconnecting');
  });

  it('is dialled even while a dial of the old one is out, and the old one failing later is ignored', () => {
    const { state, effects } = run([start, learned(NEW), unreachable(OLD)]);
    expect(effects[1]).toEqual([{ type: 'dial', address: NEW }]);
    expect(effects[2]).toEqual([]);
    expect(state.phase).toEqual({ kind: 'reconnecting', dialing: true, unanswered: false });
  });

  it('is kept for later while the contact is online', () => {
    const { state, last } = run([...online, learned(NEW), lost]);
    expect(last).toEqual([{ type: 'dial', address: NEW }, { type: 'join-slots' }]);
    expect(state.address).toBe(NEW);
  });

  it('after a squatter, is dialled while the contact stays recovering', () => {
    const { state, last } = run([start, wrongKey(), learned(NEW)]);
    expect(last).toEqual([{ type: 'dial', address: NEW }]);
    expect(state.phase).toEqual({ kind: 'recovering', dialing: true });
  });

  it('the same address, or none, changes nothing', () => {
    expect(run([start, unreachable(), learned(OLD)]).last).toEqual([]);
    expect(run([start, unreachable(), learned('')]).state.address).toBe(OLD);
  });
});

describe('late dial results', () => {
  it('about an address no longer current are ignored, whatever they say', () => {
    const { state, last } = run([start, learned(NEW), wrongKey(OLD)]);
    expect(last).toEqual([]);
    expect(state.blocked).toEqual([]);
  });

  it('that the address was unreachable change nothing once the contact is online', () => {
    const { state, last } = run([start, ready(SLOT_ID), unreachable()]);
    expect(last).toEqual([]);
    expect(reachLabel(state)).toBe('online');
  });

  it('after the agent stopped are ignored', () => {
    expect(run([start, { type: 'stop' }, unreachable()]).last).toEqual([]);
  });
});

describe('the rendezvous options', () => {
  it('pausing a special contact that is not online leaves its slot; the direct dial goes on', () => {
    const { state, effects } = run([start, unreachable(), options(true, true), retry]);
    expect(effects[2]).toEqual([{ type: 'leave-slots' }]);
    expect(effects[3]).toEqual([{ type: 'dial', address: OLD }]);
    expect(state.inSlots).toBe(false);
  });

  it('turning special off leaves the slot', () => {
    expect(run([start, options(false, false)]).last).toEqual([{ type: 'leave-slots' }]);
  });

  it('making a contact special while it is not online joins its slot at once', () => {
    const { state, last } = run([start, unreachable(), options(true, false)], ordinary());
    expect(last).toEqual([{ type: 'join-slots' }]);
    expect(state.inSlots).toBe(true);
  });

  it('resuming a paused contact that is not online joins its slot', () => {
    expect(run([start, options(true, false)], contact({ paused: true })).last).toEqual([{ type: 'join-slots' }]);
  });

  it('change nothing for a contact who is online, until the session is lost', () => {
    expect(run([...online, options(false, false)]).last).toEqual([]);
    expect(run([...online, options(true, false)], ordinary()).last).toEqual([]);
    expect(run([...online, options(true, false), lost], ordinary()).last).toEqual([
      { type: 'dial', address: OLD },
      { type: 'join-slots' },
    ]);
  });

  it('before the agent starts are only remembered', () => {
    const { state, last } = run([options(false, false)]);
    expect(last).toEqual([]);
    expect(state.special).toBe(false);
  });
});

describe('when our own transport id changes', () => {
  it('an online contact is told the new one', () => {
    expect(run([...online, { type: 'own-address-changed', address: NEW }]).last).toEqual([
      { type: 'announce', address: NEW },
    ]);
  });

  it('a contact who is not online is not told: being in the slot is the note they will find', () => {
    const { state, last } = run([start, unreachable(), { type: 'own-address-changed', address: NEW }]);
    expect(last).toEqual([]);
    expect(state.inSlots).toBe(true);
  });
});

describe('when the agent stops', () => {
  it('a contact being looked for leaves its slot and is offline', () => {
    const { state, last } = run([start, { type: 'stop' }]);
    expect(last).toEqual([{ type: 'leave-slots' }]);
    expect(state.phase).toEqual({ kind: 'idle' });
    expect(reachLabel(state)).toBe('offline');
  });

  it('an online contact is offline, with no slot to leave', () => {
    expect(run([...online, { type: 'stop' }]).last).toEqual([]);
  });

  it('starting again looks for the contact again, remembering the squatter', () => {
    const { state, last } = run([start, wrongKey(), { type: 'stop' }, start]);
    expect(last).toEqual([{ type: 'join-slots' }]);
    expect(state.blocked).toEqual([OLD]);
  });
});

describe('the reach state', () => {
  it('survives a round trip through JSON at every step', () => {
    const events: ReachEvent[] = [start, wrongKey(), learned(NEW), ready(SLOT_ID), lost, unreachable(NEW), retry];
    let state = contact();
    for (const event of events) {
      state = reduceContactReach(state, event).state;
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
  });

  it('is never changed in place', () => {
    const before = run([start, unreachable()]).state;
    const frozen = JSON.stringify(before);
    reduceContactReach(before, wrongKey());
    reduceContactReach(before, learned(NEW));
    expect(JSON.stringify(before)).toBe(frozen);
  });
});
