import { describe, expect, it } from 'vitest';
import { AgentError } from '../../lib/agent/agent-error';
import { agentToBackground, backgroundToAgent } from '../../lib/messaging/agent-messages';
import {
  type Channel,
  dispatchRequest,
  envelope,
  type MessageMap,
  type ParsedRequest,
  parseReply,
  parseRequest,
  RemoteError,
} from '../../lib/messaging/channel';
import { pageToBackground } from '../../lib/messaging/page-messages';
import { FACTORY_SETTINGS, type Settings } from '../../lib/store/settings';

const ADDRESS = 'tincan-t-abcdefghijklmnop';
const CONTACT = 'e5'.repeat(32);
const settings: Settings = { ...FACTORY_SETTINGS, displayName: 'Alice' };

function request<M extends MessageMap>(channel: Channel<M>, type: unknown, data?: unknown): ParsedRequest {
  return parseRequest(channel, { channel: channel.name, type, data });
}

function problemKind(parsed: ParsedRequest): string {
  if (parsed.kind !== 'invalid') throw new Error(`expected an invalid request, got ${JSON.stringify(parsed)}`);
  return parsed.problem.kind;
}

describe('a context ignores runtime messages that are not for its channel', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'getState'],
    ['a number', 7],
    ['a boolean', true],
    ['an array', [backgroundToAgent.name, 'ping']],
    ['an object without a channel', { type: 'ping' }],
    ['a message on the page channel', envelope(pageToBackground, 'getState', undefined)],
    ['a message on the agent→background channel', envelope(agentToBackground, 'ready', undefined)],
    ['a channel name that differs only in version', { channel: 'tincan/background-to-agent/v2', type: 'ping' }],
  ])('%s is not mine', (_, raw) => {
    expect(parseRequest(backgroundToAgent, raw)).toEqual({ kind: 'not-mine' });
  });
});

describe('requests on the channel that are not in its map', () => {
  it.each([
    ['an unknown request', 'explode'],
    ['a request from another map', 'saveSettings'],
    ['a missing type', undefined],
    ['a number as type', 1],
    ['an object as type', { toString: () => 'ping' }],
    ['toString', 'toString'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['valueOf', 'valueOf'],
  ])('%s is refused as unknown-request', (_, type) => {
    expect(problemKind(request(backgroundToAgent, type))).toBe('unknown-request');
  });

  it('the refusal names the request, so a developer can find the caller', () => {
    expect(request(pageToBackground, 'explode')).toEqual({
      kind: 'invalid',
      problem: { kind: 'unknown-request', detail: 'unknown request "explode"' },
    });
  });
});

const setup = {
  settings,
  identity: {
    identityKey: 'a1'.repeat(32),
    staticSecret: 'b2'.repeat(32),
    staticPublic: 'c3'.repeat(32),
    certificate: 'd4'.repeat(64),
    presenceKey: 'f6'.repeat(32),
  },
  contacts: [
    {
      identityKey: 'e5'.repeat(32),
      petname: 'Bob',
      address: ADDRESS,
      verified: true,
      addedAt: 1,
      special: true,
      rendezvousPaused: false,
    },
  ],
};
const withSettings = (change: Partial<typeof settings>) => ({ ...setup, settings: { ...settings, ...change } });

describe('background → agent requests are checked before the agent sees them', () => {
  it.each([
    ['connect without data', 'connect', undefined],
    ['connect without an address', 'connect', {}],
    ['connect with a numeric address', 'connect', { address: 42 }],
    ['connect with a blank address', 'connect', { address: '   ' }],
    ['connect with an address or invite over 300 characters', 'connect', { address: 'a'.repeat(301) }],
    ['answerRequest without an answer', 'answerRequest', { address: ADDRESS }],
    ['answerRequest with "yes" for an answer', 'answerRequest', { address: ADDRESS, accept: 'yes' }],
    ['trustNewKey with an address over 100 characters', 'trustNewKey', { address: 'a'.repeat(101) }],
    ['connect with an extra field', 'connect', { address: ADDRESS, force: true }],
    ['send without text', 'send', { address: ADDRESS }],
    ['send with empty text', 'send', { address: ADDRESS, text: '' }],
    ['send with text over 20,000 characters', 'send', { address: ADDRESS, text: 'x'.repeat(20_001) }],
    ['send with text as bytes', 'send', { address: ADDRESS, text: [104, 105] }],
    ['send with an extra field', 'send', { address: ADDRESS, text: 'hi', at: 1 }],
    ['markRead with an array', 'markRead', [ADDRESS]],
    ['sendTo without a contact', 'sendTo', { text: 'hi' }],
    ['sendTo to a key that is not 64 hex characters', 'sendTo', { contactKey: 'bob', text: 'hi' }],
    ['sendTo with empty text', 'sendTo', { contactKey: CONTACT, text: '' }],
    ['sendTo with an extra field', 'sendTo', { contactKey: CONTACT, text: 'hi', address: ADDRESS }],
    ['markChatRead by address', 'markChatRead', { address: ADDRESS }],
    ['pingContact without a contact', 'pingContact', undefined],
    ['tick with data', 'tick', { now: 1 }],
    ['importHistory without an archive field', 'importHistory', { chats: [] }],
    ['ping with data', 'ping', {}],
    ['getState with data', 'getState', 'now'],
    ['configure without a setup', 'configure', undefined],
    ['configure with settings only', 'configure', settings],
    [
      'configure with a port out of range',
      'configure',
      withSettings({ signaling: { ...settings.signaling, port: 0 } }),
    ],
    ['configure with a relative path', 'configure', withSettings({ signaling: { ...settings.signaling, path: 'x' } })],
    ['configure with a 41-character name', 'configure', withSettings({ displayName: 'n'.repeat(41) })],
    ['configure with 17 ICE servers', 'configure', withSettings({ iceServers: Array(17).fill({ urls: 'stun:x' }) })],
    [
      'configure with a short identity key',
      'configure',
      { ...setup, identity: { ...setup.identity, identityKey: 'ab' } },
    ],
    [
      'configure with an upper-case hex key',
      'configure',
      { ...setup, identity: { ...setup.identity, staticSecret: 'AB'.repeat(32) } },
    ],
    [
      'configure with a contact missing its key',
      'configure',
      { ...setup, contacts: [{ petname: 'x', address: '', verified: false, addedAt: 1 }] },
    ],
  ])('%s is a bad-request', (_, type, data) => {
    expect(problemKind(request(backgroundToAgent, type, data))).toBe('bad-request');
  });

  it('the refusal says which request and what was wrong', () => {
    const parsed = request(backgroundToAgent, 'connect', { address: 42 });
    expect(parsed).toMatchObject({ kind: 'invalid', problem: { kind: 'bad-request' } });
    if (parsed.kind === 'invalid') expect(parsed.problem.detail).toMatch(/^connect: /);
  });

  it.each([
    ['ping', undefined, undefined],
    ['getState', undefined, undefined],
    ['connect', { address: ADDRESS }, { address: ADDRESS }],
    ['send', { address: ADDRESS, text: '  hi 🦊  ' }, { address: ADDRESS, text: '  hi 🦊  ' }],
    ['markRead', { address: ADDRESS }, { address: ADDRESS }],
    ['configure', setup, setup],
    ['answerRequest', { address: ADDRESS, accept: false }, { address: ADDRESS, accept: false }],
    ['trustNewKey', { address: ADDRESS }, { address: ADDRESS }],
    ['sendTo', { contactKey: CONTACT, text: 'later' }, { contactKey: CONTACT, text: 'later' }],
    ['markChatRead', { contactKey: CONTACT }, { contactKey: CONTACT }],
    ['pingContact', { contactKey: CONTACT }, { contactKey: CONTACT }],
    ['tick', undefined, undefined],
    ['exportHistory', undefined, undefined],
    ['importHistory', { archive: { chats: [] } }, { archive: { chats: [] } }],
  ])('a valid %s reaches the agent with its data', (type, data, expected) => {
    expect(request(backgroundToAgent, type, data)).toEqual({ kind: 'request', type, data: expected });
  });

  it('an address typed with spaces around it reaches the agent trimmed', () => {
    expect(request(backgroundToAgent, 'connect', { address: `  ${ADDRESS}\n` })).toEqual({
      kind: 'request',
      type: 'connect',
      data: { address: ADDRESS },
    });
  });
});

describe('agent → background notices are checked before the background acts on them', () => {
  const arrived = {
    type: 'message-arrived',
    address: ADDRESS,
    contactKey: 'ab'.repeat(32),
    name: 'Bob',
    text: 'hi',
    unreadTotal: 3,
  };

  it.each([
    ['an unknown notice type', { type: 'exploded' }],
    ['a change without a snapshot', { type: 'changed' }],
    ['a change with a snapshot that is not an object', { type: 'changed', snapshot: 'all good' }],
    ['a message with a negative unread count', { ...arrived, unreadTotal: -1 }],
    ['a message with a fractional unread count', { ...arrived, unreadTotal: 1.5 }],
    ['a message without text', { ...arrived, text: undefined }],
    ['a message with a 201-character name', { ...arrived, name: 'n'.repeat(201) }],
    ['a message with an extra field', { ...arrived, html: '<b>hi</b>' }],
  ])('%s is a bad-request', (_, notice) => {
    expect(problemKind(request(agentToBackground, 'notice', notice))).toBe('bad-request');
  });

  it('a message that arrived reaches the background with its data', () => {
    expect(request(agentToBackground, 'notice', arrived)).toEqual({ kind: 'request', type: 'notice', data: arrived });
  });

  it('ready carries no data', () => {
    expect(request(agentToBackground, 'ready')).toEqual({ kind: 'request', type: 'ready', data: undefined });
    expect(problemKind(request(agentToBackground, 'ready', { settings }))).toBe('bad-request');
  });
});

describe('page → background requests are checked before the background acts on them', () => {
  it.each([
    [
      'saveSettings with a host that is blank',
      'saveSettings',
      { ...settings, signaling: { ...settings.signaling, host: ' ' } },
    ],
    [
      'saveSettings with a port as text',
      'saveSettings',
      { ...settings, signaling: { ...settings.signaling, port: '9000' } },
    ],
    ['saveSettings with an ICE server without urls', 'saveSettings', { ...settings, iceServers: [{ username: 'u' }] }],
    ['saveSettings without a display name', 'saveSettings', { signaling: settings.signaling, iceServers: [] }],
    ['send to nobody', 'send', { text: 'hi' }],
    ['markRead with an extra field', 'markRead', { address: ADDRESS, all: true }],
    ['getSettings with data', 'getSettings', { fresh: true }],
    ['sendTo with text over 20,000 characters', 'sendTo', { contactKey: CONTACT, text: 'x'.repeat(20_001) }],
    ['pingContact by address', 'pingContact', { address: ADDRESS }],
    ['setSpecial with "yes"', 'setSpecial', { identityKey: CONTACT, special: 'yes' }],
    ['setSpecial without a contact', 'setSpecial', { special: true }],
    ['setRendezvousPaused without saying which way', 'setRendezvousPaused', { identityKey: CONTACT }],
    [
      'setRendezvousPaused with an extra field',
      'setRendezvousPaused',
      { identityKey: CONTACT, paused: true, days: 30 },
    ],
  ])('%s is a bad-request', (_, type, data) => {
    expect(problemKind(request(pageToBackground, type, data))).toBe('bad-request');
  });

  it.each([
    ['sendTo', { contactKey: CONTACT, text: 'while you were away' }],
    ['markChatRead', { contactKey: CONTACT }],
    ['pingContact', { contactKey: CONTACT }],
    ['setSpecial', { identityKey: CONTACT, special: true }],
    ['setRendezvousPaused', { identityKey: CONTACT, paused: false }],
  ])('a valid %s from the popup reaches the background', (type, data) => {
    expect(request(pageToBackground, type, data)).toEqual({ kind: 'request', type, data });
  });

  it('saved settings reach the background as typed', () => {
    expect(request(pageToBackground, 'saveSettings', settings)).toEqual({
      kind: 'request',
      type: 'saveSettings',
      data: settings,
    });
  });

  it('a settings key the background does not know never reaches it', () => {
    const parsed = request(pageToBackground, 'saveSettings', { ...settings, theme: 'dark' });
    expect(parsed).toEqual({ kind: 'request', type: 'saveSettings', data: settings });
  });
});

describe('handlers’ outcomes travel back to the caller', () => {
  const handlers = {
    fine: () => 'value',
    later: async () => ({ n: 1 }),
    refused: () => {
      throw new AgentError({ kind: 'own-address', detail: 'That is this browser’s own address.' });
    },
    refusedLater: async () => {
      throw new AgentError({ kind: 'not-connected', detail: 'Not connected to this contact.' });
    },
    relayed: () => {
      throw new RemoteError({ kind: 'no-answer', detail: 'offscreen document gone' });
    },
    crashed: () => {
      throw new TypeError('cannot read properties of undefined');
    },
    threwString: () => {
      throw 'just a string';
    },
    threwHalfAProblem: () => {
      throw { problem: { kind: 'half' } };
    },
  };

  it('a value, returned or awaited, comes back ok', async () => {
    expect(await dispatchRequest(handlers, 'fine', undefined)).toEqual({ ok: true, value: 'value' });
    expect(await dispatchRequest(handlers, 'later', undefined)).toEqual({ ok: true, value: { n: 1 } });
  });

  it('an agent refusal comes back as its kind and explanation', async () => {
    expect(await dispatchRequest(handlers, 'refused', undefined)).toEqual({
      ok: false,
      problem: { kind: 'own-address', detail: 'That is this browser’s own address.' },
    });
    expect(await dispatchRequest(handlers, 'refusedLater', undefined)).toEqual({
      ok: false,
      problem: { kind: 'not-connected', detail: 'Not connected to this contact.' },
    });
  });

  it('a problem relayed from another context keeps its kind', async () => {
    expect(await dispatchRequest(handlers, 'relayed', undefined)).toEqual({
      ok: false,
      problem: { kind: 'no-answer', detail: 'offscreen document gone' },
    });
  });

  it.each([
    ['a crash', 'crashed', 'cannot read properties of undefined'],
    ['a thrown string', 'threwString', 'just a string'],
    ['a problem without a detail', 'threwHalfAProblem', '[object Object]'],
    ['a request with no handler', 'missing', undefined],
  ])('%s comes back as internal', async (_, type, detail) => {
    const reply = await dispatchRequest(handlers as Record<string, (data: unknown) => unknown>, type, undefined);
    expect(reply).toMatchObject({ ok: false, problem: { kind: 'internal' } });
    if (detail !== undefined) expect(reply).toMatchObject({ problem: { detail } });
  });
});

describe('a reply from another context', () => {
  it.each([
    ['nothing (the context did not answer)', undefined],
    ['null', null],
    ['a string', 'ok'],
    ['an object without ok', { value: 1 }],
    ['ok as a string', { ok: 'true', value: 1 }],
    ['a failure without a problem', { ok: false }],
    ['a failure with a problem that is not an object', { ok: false, problem: 'boom' }],
    ['a failure whose problem has no detail', { ok: false, problem: { kind: 'x' } }],
    ['a failure whose problem kind is a number', { ok: false, problem: { kind: 1, detail: 'x' } }],
  ])('%s is no-answer', (_, raw) => {
    expect(parseReply(raw)).toMatchObject({ ok: false, problem: { kind: 'no-answer' } });
  });

  it('a success carries its value', () => {
    expect(parseReply({ ok: true, value: { state: 'online' } })).toEqual({ ok: true, value: { state: 'online' } });
    expect(parseReply({ ok: true })).toEqual({ ok: true, value: undefined });
  });

  it('a failure carries its kind and detail, and nothing else', () => {
    expect(parseReply({ ok: false, problem: { kind: 'timeout', detail: 'No answer.', stack: 'at …' } })).toEqual({
      ok: false,
      problem: { kind: 'timeout', detail: 'No answer.' },
    });
  });
});
