import { describe, expect, it } from 'vitest';
import { networkList, strangerLabel, strangerRequest } from '../../components/network-list';
import type { ContactView } from '../../lib/agent/agent-views';
import type { ConversationView } from '../../lib/agent/chat-snapshot';
import type { NetworkPeerView, NetworkView } from '../../lib/agent/network-view';
import type { Stage } from '../../lib/sessions/conversations';

const NS = 'abcdefghijklmnop';
const ACTIVE = { state: 'active', ns: NS, visit: { state: 'member', rank: 1 } } as const;
const idOf = (c: string) => `tincan-${NS}-d-${c.repeat(16)}`;
const keyOf = (c: string) => c.repeat(64);

const contact = (c: string, petname: string, extra: Partial<ContactView> = {}): ContactView => ({
  identityKey: keyOf(c),
  petname,
  address: `tincan-t-${c.repeat(8)}`,
  verified: false,
  addedAt: 0,
  special: false,
  rendezvousPaused: false,
  fingerprint: 'abcd efgh ijkl mnop',
  safetyNumber: '',
  online: false,
  ...extra,
});
const conversation = (address: string, stage: Stage, extra: Partial<ConversationView> = {}): ConversationView => ({
  address,
  name: '',
  stage,
  trusted: false,
  theyAccepted: false,
  messages: [],
  unread: 0,
  badFrames: 0,
  ...extra,
});
const network = (peers: NetworkPeerView[]): NetworkView => ({ status: ACTIVE, peers });

describe('who "On this network" lists, and how', () => {
  it('a peer tagged as a saved contact is shown once, as that contact, and not under Saved contacts', () => {
    const ann = contact('a', 'Ann (work)');
    const bo = contact('b', 'Bo');
    const list = networkList(
      network([
        { discoveryId: idOf('x'), name: 'ann', contactKey: ann.identityKey },
        { discoveryId: idOf('y'), name: 'stranger' },
      ]),
      [ann, bo],
      [],
    );
    expect(list.contactsHere).toEqual([{ discoveryId: idOf('x'), contact: ann }]);
    expect(list.strangers.map((s) => s.label)).toEqual(['stranger']);
    expect(list.elsewhere).toEqual([bo]);
  });

  it('a stranger who chose a contact’s petname as their name is still a stranger', () => {
    const ann = contact('a', 'Ann');
    const list = networkList(network([{ discoveryId: idOf('y'), name: 'Ann' }]), [ann], []);
    expect(list.contactsHere).toEqual([]);
    expect(list.strangers).toEqual([{ discoveryId: idOf('y'), label: 'Ann', request: 'none' }]);
    expect(list.elsewhere).toEqual([ann]);
  });

  it('a second record claiming the same contact is not shown at all, neither as the contact nor as a stranger', () => {
    const ann = contact('a', 'Ann');
    const list = networkList(
      network([
        { discoveryId: idOf('x'), name: 'ann', contactKey: ann.identityKey },
        { discoveryId: idOf('z'), name: 'ann again', contactKey: ann.identityKey },
      ]),
      [ann],
      [],
    );
    expect(list.contactsHere).toHaveLength(1);
    expect(list.strangers).toEqual([]);
  });

  it('a tag naming a key that is no longer a saved contact leaves the peer a stranger', () => {
    const list = networkList(network([{ discoveryId: idOf('x'), name: 'ex', contactKey: keyOf('e') }]), [], []);
    expect(list.strangers.map((s) => s.label)).toEqual(['ex']);
  });

  it('contacts here by petname, strangers by their name', () => {
    const list = networkList(
      network([
        { discoveryId: idOf('q'), name: 'zed' },
        { discoveryId: idOf('r'), name: 'Ada' },
        { discoveryId: idOf('s'), name: '', contactKey: keyOf('c') },
        { discoveryId: idOf('t'), name: '', contactKey: keyOf('d') },
      ]),
      [contact('c', 'Yves'), contact('d', 'Bea')],
      [],
    );
    expect(list.contactsHere.map((h) => h.contact.petname)).toEqual(['Bea', 'Yves']);
    expect(list.strangers.map((s) => s.label)).toEqual(['Ada', 'zed']);
  });

  it('where a request to a stranger stands comes from the conversation at their discovery id', () => {
    const list = networkList(
      network([
        { discoveryId: idOf('m'), name: 'asked' },
        { discoveryId: idOf('n'), name: 'fresh' },
      ]),
      [],
      [conversation(idOf('m'), 'waiting'), conversation('tincan-t-nnnnnnnn', 'waiting')],
    );
    expect(list.strangers.map((s) => [s.label, s.request])).toEqual([
      ['asked', 'sent'],
      ['fresh', 'none'],
    ]);
  });
});

describe('a stranger’s request, by the stage of its conversation', () => {
  it.each<[string, ConversationView | undefined, ReturnType<typeof strangerRequest>]>([
    ['never asked', undefined, 'none'],
    ['dialling', conversation('a', 'connecting'), 'requesting'],
    ['in the handshake', conversation('a', 'securing'), 'requesting'],
    ['waiting for their answer', conversation('a', 'waiting'), 'sent'],
    ['they asked us', conversation('a', 'request'), 'asked-you'],
    ['they accepted', conversation('a', 'ready'), 'connected'],
    ['they declined', conversation('a', 'closed', { problem: { kind: 'declined', detail: '' } }), 'declined'],
    ['it failed: ask again', conversation('a', 'closed', { problem: { kind: 'timeout', detail: '' } }), 'none'],
  ])('%s', (_, given, expected) => {
    expect(strangerRequest(given)).toBe(expected);
  });
});

describe('a stranger’s label', () => {
  it('is the name they chose, trimmed', () => {
    expect(strangerLabel('  Kim ', idOf('k'))).toBe('Kim');
  });

  it('is "Anonymous" and the end of the discovery id when they chose none, so two can be told apart', () => {
    const one = strangerLabel(' ', `tincan-${NS}-d-aaaaaaaaaaaa2345`);
    const two = strangerLabel('', `tincan-${NS}-d-aaaaaaaaaaaa6789`);
    expect(one).toBe('Anonymous 2345');
    expect(two).not.toBe(one);
  });
});
