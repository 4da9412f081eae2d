/**
 * The agent's side of staying reachable: one contact reach state machine per saved contact
 * (lib/rendezvous/contact-reach.ts), carried out by dialling last known addresses and by visiting
 * the rendezvous slots of special contacts (lib/rendezvous/slot-visit.ts). The slot schedule is
 * one timer at the next slot change; the background's alarm also calls `tick()`, so a timer lost
 * to a sleeping machine costs at most one alarm period.
 */
import { fromHex } from '../bytes';
import {
  type ContactReach,
  newContactReach,
  type ReachEffect,
  type ReachEvent,
  reduceContactReach,
} from '../rendezvous/contact-reach';
import { nextSlotChange, slotLabel, slotsAt, slotTag } from '../rendezvous/rendezvous-slot';
import { type MeetOutcome, type SlotClock, type SlotVisit, visitSlot } from '../rendezvous/slot-visit';
import type { Contact } from '../store/contacts';
import type { Link, Transport } from '../transport/transport';

export type DialOutcome = 'ready' | 'unreachable' | 'wrong-key';

export interface AgentRendezvousDeps {
  root: string;
  clock: SlotClock;
  randomBytes(length: number): Uint8Array;
  openTransport(nextAddress: () => string | undefined): Transport;
  /** Dial a contact's last known address; the session, if any, reports itself separately. */
  dial(contactKey: string, address: string): Promise<DialOutcome>;
  meet(contactKey: string, routerId: string): Promise<MeetOutcome>;
  adopt(link: Link): void;
  /** Tell a connected contact our new transport address. */
  announce(contactKey: string): void;
  block(contactKey: string, address: string): void;
  blocked(contactKey: string): readonly string[];
  changed(): void;
}

export function agentRendezvous(deps: AgentRendezvousDeps) {
  const reaches = new Map<string, ContactReach>();
  const visits = new Map<string, Map<number, SlotVisit>>();
  const secrets = new Map<string, Uint8Array>();
  let running = false;
  let slotTimer: unknown;

  const run = (contactKey: string, event: ReachEvent) => {
    const current = reaches.get(contactKey);
    if (!current) return;
    const step = reduceContactReach(current, event);
    reaches.set(contactKey, step.state);
    for (const effect of step.effects) carryOut(contactKey, effect);
    deps.changed();
  };

  const carryOut = (contactKey: string, effect: ReachEffect) => {
    switch (effect.type) {
      case 'dial': {
        const { address } = effect;
        void deps.dial(contactKey, address).then((outcome) => {
          if (outcome !== 'ready') run(contactKey, { type: 'dial-failed', address, problem: outcome });
        });
        return;
      }
      case 'join-slots':
        return syncVisits(contactKey);
      case 'leave-slots':
        return leaveSlots(contactKey);
      case 'block-address':
        return deps.block(contactKey, effect.address);
      case 'announce':
        return deps.announce(contactKey);
    }
  };

  const leaveSlots = (contactKey: string) => {
    for (const visit of visits.get(contactKey)?.values() ?? []) visit.stop();
    visits.delete(contactKey);
  };

  /** Be in exactly the slots this moment calls for (two near a slot edge), for one contact. */
  const syncVisits = (contactKey: string) => {
    const reach = reaches.get(contactKey);
    const secret = secrets.get(contactKey);
    if (!running || !reach?.inSlots || !secret) return leaveSlots(contactKey);
    const wanted = slotsAt(deps.clock.now());
    const mine = visits.get(contactKey) ?? new Map<number, SlotVisit>();
    visits.set(contactKey, mine);
    for (const [start, visit] of mine) {
      if (!wanted.includes(start)) {
        visit.stop();
        mine.delete(start);
      }
    }
    for (const start of wanted) {
      if (mine.has(start)) continue;
      mine.set(
        start,
        visitSlot({
          root: deps.root,
          tag: slotTag(secret, slotLabel(start)),
          clock: deps.clock,
          randomBytes: deps.randomBytes,
          openTransport: deps.openTransport,
          meet: (routerId) => deps.meet(contactKey, routerId),
          onIncoming: deps.adopt,
        }),
      );
    }
  };

  const scheduleSlots = () => {
    if (slotTimer !== undefined) deps.clock.clearTimeout(slotTimer);
    slotTimer = undefined;
    if (!running) return;
    const now = deps.clock.now();
    slotTimer = deps.clock.setTimeout(
      () => {
        slotTimer = undefined;
        for (const key of reaches.keys()) syncVisits(key);
        scheduleSlots();
      },
      Math.max(0, nextSlotChange(now) - now),
    );
  };

  return {
    /** The saved contacts changed (added, removed, made special, paused, moved). */
    configure(contacts: readonly Contact[]) {
      const keys = new Set(contacts.map((c) => c.identityKey));
      for (const key of [...reaches.keys()]) {
        if (keys.has(key)) continue;
        leaveSlots(key);
        reaches.delete(key);
        secrets.delete(key);
      }
      for (const contact of contacts) {
        const key = contact.identityKey;
        if (contact.rendezvousSecret) secrets.set(key, fromHex(contact.rendezvousSecret));
        const existing = reaches.get(key);
        const options = { special: contact.special, paused: contact.rendezvousPaused };
        if (!existing) {
          reaches.set(
            key,
            newContactReach({ contactKey: key, ...options, address: contact.address, blocked: [...deps.blocked(key)] }),
          );
          if (running) run(key, { type: 'start' });
          continue;
        }
        if (existing.special !== options.special || existing.paused !== options.paused) {
          run(key, { type: 'options', ...options });
        }
        if (contact.address !== '' && contact.address !== existing.address) {
          run(key, { type: 'address-learned', address: contact.address });
        }
        // A secret that arrived after the reach wanted slots.
        syncVisits(key);
      }
    },

    start() {
      if (running) return;
      running = true;
      for (const key of reaches.keys()) run(key, { type: 'start' });
      scheduleSlots();
    },

    stop() {
      running = false;
      for (const key of reaches.keys()) run(key, { type: 'stop' });
      for (const key of [...visits.keys()]) leaveSlots(key);
      scheduleSlots();
    },

    sessionReady: (contactKey: string, address: string) => run(contactKey, { type: 'session-ready', address }),
    sessionLost: (contactKey: string) => run(contactKey, { type: 'session-lost' }),
    ownAddressChanged(address: string) {
      for (const key of reaches.keys()) run(key, { type: 'own-address-changed', address });
    },

    /** From the background's alarm (and our own periodic check): retry, and catch up on slots. */
    tick() {
      if (!running) return;
      for (const key of reaches.keys()) {
        run(key, { type: 'retry' });
        syncVisits(key);
      }
      scheduleSlots();
    },

    reach: (contactKey: string): ContactReach | undefined => reaches.get(contactKey),
    slotStatus: (contactKey: string) => [...(visits.get(contactKey)?.values() ?? [])].map((v) => v.status()),
  };
}
