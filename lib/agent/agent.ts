/**
 * The agent: one object per browser that owns this browser's address, every session with
 * another browser and the conversations over them. Plain TypeScript with no extension API: the
 * same agent runs in Chrome's offscreen document, Firefox's background page and Node.
 *
 * Every link is secured before anything is read from it (lib/sessions/secure-link.ts); who the
 * other side *is* comes from the handshake, never from its address.
 */
import { fromHex, toBase32, toHex } from '../bytes';
import { decodeInvite, looksLikeInvite } from '../crypto/invite';
import { Listeners } from '../listeners';
import { type AckFrame, type ChatFrame, decodeFrame, encodeFrame, MAX_TEXT_BYTES } from '../protocol/frame';
import { isRendezvousId } from '../rendezvous/rendezvous-slot';
import type { MeetOutcome } from '../rendezvous/slot-visit';
import {
  type ConversationEvent,
  type ConversationProblem,
  emptyConversations,
  findConversation,
  isLinkUp,
  reduceConversations,
} from '../sessions/conversations';
import { establishSession, type SecureLink } from '../sessions/secure-link';
import { keepSessionAlive } from '../sessions/session-keepalive';
import {
  type AgentIdentity,
  applyContactChange,
  type Contact,
  type ContactChange,
  findContact,
} from '../store/contacts';
import { describeSignalingServer, type Settings } from '../store/settings';
import { DialError, isValidAddress, type Link, type Transport } from '../transport/transport';
import {
  ADDRESS_ROOT,
  type Agent,
  type AgentDeps,
  type AgentEvent,
  CONTACT_WRITE_GRACE_MS,
  REQUEST_TTL_MS,
} from './agent-api';
import { AgentError } from './agent-error';
import { agentNetwork, isDiscoveryId } from './agent-network';
import { agentRendezvous, type DialOutcome } from './agent-rendezvous';
import { agentTransfers } from './agent-transfers';
import { contactViews, meView, peerView, sessionIdentity, sessionProblem } from './agent-views';
import { createChatBook } from './chat-book';
import { chatViews, conversationViews, withChats } from './chat-snapshot';
import {
  contactChangesWhenReady,
  expectationAt,
  introducedChange,
  keyProblem,
  rendezvousSecretChange,
  requestLimitProblem,
} from './trust';

export {
  ADDRESS_ROOT,
  type Agent,
  type AgentDeps,
  type AgentEvent,
  type AgentSetup,
  type AgentSnapshot,
  CONTACT_WRITE_GRACE_MS,
  REQUEST_TTL_MS,
} from './agent-api';
export { MAX_OPEN_REQUESTS } from './trust';

type LinkEntry = {
  link: Link;
  dialedByMe: boolean;
  session?: SecureLink;
  /** The handshake under way on this link: a second dial of the same address waits for it. */
  secured?: Promise<void>;
};

function sameNetwork(a: Settings, b: Settings): boolean {
  return JSON.stringify([a.signaling, a.iceServers]) === JSON.stringify([b.signaling, b.iceServers]);
}

/** A slot's router id that does not answer this soon is a crashed holder's reservation. */
const MEET_TIMEOUT_MS = 5_000;

/** Not a lasting address: an id for one network visit, or one rendezvous slot. */
const isPassingId = (address: string) => isDiscoveryId(address) || isRendezvousId(address);

export function createAgent(deps: AgentDeps): Agent {
  const listeners = new Listeners<[AgentEvent]>();
  const links = new Map<string, LinkEntry>();
  /** Addresses dialled from an invite, with the key the invite promised. */
  const invited = new Map<string, string>();
  /** Rendezvous router ids being met, with the contact that must be there (not an invite: no verification). */
  const meeting = new Map<string, string>();
  /** Contacts saved in this session, whose introduce may still make them special. */
  const justLearned = new Set<string>();
  let conversations = emptyConversations;
  let settings: Settings | undefined;
  let identity: AgentIdentity | undefined;
  let contacts: Contact[] = [];
  let transport: Transport | undefined;
  let cleanups: Array<() => void> = [];
  /** The transport address our online contacts were last told. */
  let announced: string | undefined;
  // A transport id lives until it fails to re-register (DESIGN.md, identifiers).
  let address = '';
  const nextAddress = () => {
    address = `${ADDRESS_ROOT}-t-${toBase32(deps.randomBytes(10))}`;
    return address;
  };

  const changed = () => listeners.emit({ type: 'changed' });

  const network = agentNetwork(deps, () => settings);

  /** The ready conversation with a contact, if any: where their chat frames go. */
  const readyAddressOf = (contactKey: string): string | undefined =>
    conversations.conversations.find((c) => c.stage === 'ready' && c.peer?.identityKey === contactKey)?.address;

  const book = createChatBook({
    openStore: deps.openChatStore,
    now: deps.now,
    randomBytes: deps.randomBytes,
    transmit(contactKey, frame: ChatFrame | AckFrame) {
      const at = readyAddressOf(contactKey);
      if (at !== undefined) links.get(at)?.session?.send(encodeFrame(frame));
    },
    changed,
    arrived(contactKey, message, unreadTotal) {
      const contact = findContact(contacts, contactKey);
      listeners.emit({
        type: 'message-arrived',
        address: readyAddressOf(contactKey) ?? contact?.address ?? '',
        contactKey,
        name: contact?.petname ?? '',
        text: message.text,
        unreadTotal,
      });
    },
  });

  const transfers = agentTransfers({
    openStore: deps.openTransferStore,
    now: deps.now,
    randomBytes: deps.randomBytes,
    setTimeout: deps.setTimeout,
    session: (contactKey) => {
      const at = readyAddressOf(contactKey);
      return at === undefined ? undefined : links.get(at)?.session;
    },
    isContact: (contactKey) => findContact(contacts, contactKey) !== undefined,
    fileUrl: deps.fileUrl,
    releaseUrl: deps.releaseUrl,
    fileReady: (transferId, url, name) => listeners.emit({ type: 'file-ready', transferId, url, name }),
    changed,
    chunkBytes: deps.chunkBytes,
  });

  /**
   * Changes this agent made and reported, but that the contact list handed back by `configure`
   * may not hold yet (the background writes them to storage, then hands the whole list back).
   * Re-applied on top of every list that comes in until they are surely stored; each is
   * idempotent, so one the list already holds changes nothing.
   */
  let unconfirmed: Array<{ at: number; change: ContactChange }> = [];
  const changeContacts = (change: ContactChange) => {
    contacts = applyContactChange(contacts, change);
    rendezvous.configure(contacts);
    unconfirmed.push({ at: deps.now(), change });
    listeners.emit({ type: 'contact-changed', change });
  };
  const withUnconfirmed = (stored: Contact[]): Contact[] => {
    const now = deps.now();
    unconfirmed = unconfirmed.filter(({ at }) => now - at < CONTACT_WRITE_GRACE_MS);
    return unconfirmed.reduce((list, { change }) => applyContactChange(list, change), stored);
  };

  const dispatch = (event: ConversationEvent) => {
    const step = reduceConversations(conversations, event);
    const unchanged = step.state === conversations;
    conversations = step.state;
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'send':
          links.get(effect.address)?.session?.send(encodeFrame(effect.frame));
          break;
        case 'close-link': {
          // Through the session when there is one, so frames sent just before still leave.
          const entry = links.get(effect.address);
          if (entry?.session) entry.session.close();
          else entry?.link.close();
          break;
        }
        case 'delivery-frame':
          book.frame(effect.peer.identityKey, effect.frame);
          break;
        case 'transfer-frame':
          // Files come from saved contacts only, and from the one session their pieces follow: frames
          // still arriving on a session being replaced would interleave with the new one's.
          if (
            findContact(contacts, effect.peer.identityKey) &&
            readyAddressOf(effect.peer.identityKey) === effect.address
          )
            transfers.frame(effect.peer.identityKey, effect.frame);
          break;
        case 'request-arrived': {
          const { address: requester } = effect;
          const { identityKey } = effect.peer;
          deps.setTimeout(() => dispatch({ type: 'request-expired', address: requester, identityKey }), REQUEST_TTL_MS);
          listeners.emit({
            type: 'request-arrived',
            address: effect.address,
            identityKey: effect.peer.identityKey,
            name: effect.peer.name,
            fingerprint: effect.peer.fingerprint,
          });
          break;
        }
        case 'session-ready': {
          const viaInvite = invited.get(effect.address) === effect.peer.identityKey;
          // The invite has done its job: from now on the saved contact pins the key.
          invited.delete(effect.address);
          // A discovery or rendezvous id lasts one visit: a contact is reached at the address it introduces.
          const lasting = isPassingId(effect.address) ? '' : effect.address;
          const changes = contactChangesWhenReady(contacts, effect.peer, lasting, viaInvite, deps.now());
          for (const change of changes) changeContacts(change);
          // A contact saved just now takes the other side's word on whether the pair is special.
          if (changes.some((c) => c.type === 'learned')) justLearned.add(effect.peer.identityKey);
          introduceTo(effect.peer.identityKey);
          break;
        }
        case 'introduced': {
          const reachAt = isPassingId(effect.reachAt) ? '' : effect.reachAt;
          const change = introducedChange(contacts, effect.peer, toHex(effect.presenceKey), reachAt);
          if (change) changeContacts(change);
          const secret =
            identity &&
            rendezvousSecretChange(contacts, identity.identityKey, effect.peer, toHex(effect.rendezvousSecret));
          if (secret) changeContacts(secret);
          const key = effect.peer.identityKey;
          if (justLearned.delete(key) && effect.special && !findContact(contacts, key)?.special) {
            changeContacts({ type: 'special', identityKey: key, special: true });
          }
          break;
        }
      }
    }
    // A file chunk changes no conversation: the transfers report their own progress, throttled
    // (a snapshot per chunk kept the agent's page busy serialising them).
    if (unchanged && step.effects.length > 0 && step.effects.every((effect) => effect.type === 'transfer-frame'))
      return;
    followLinks();
    changed();
  };

  /**
   * Where to reach us from now on, the key our tags on a network are made with, and our share
   * of the rendezvous secret (made now if this contact has none yet, and kept).
   */
  const introduceTo = (contactKey: string) => {
    const at = readyAddressOf(contactKey);
    const contact = findContact(contacts, contactKey);
    if (!identity || at === undefined || !contact) return;
    let secret = contact.rendezvousSecret;
    if (!secret) {
      secret = toHex(deps.randomBytes(32));
      changeContacts({ type: 'rendezvous-secret', identityKey: contactKey, secret });
    }
    const introduce = {
      kind: 'introduce' as const,
      presenceKey: fromHex(identity.presenceKey),
      rendezvousSecret: fromHex(secret),
      special: findContact(contacts, contactKey)?.special ?? false,
      address: myAddress(),
    };
    links.get(at)?.session?.send(encodeFrame(introduce));
  };

  /** Contacts whose ready conversation came or went since the last look: their chats and reach follow. */
  let live = new Map<string, string>();
  const followLinks = () => {
    const now = new Map<string, string>();
    for (const c of conversations.conversations) {
      if (c.stage === 'ready' && c.peer && findContact(contacts, c.peer.identityKey))
        now.set(c.peer.identityKey, c.address);
    }
    const before = live;
    live = now;
    for (const [key, at] of now) {
      if (before.get(key) === at) continue;
      book.linkUp(key);
      // Another session replaced the one pieces were flowing on: what was in flight there is lost.
      if (before.has(key)) transfers.linkDown(key);
      transfers.linkUp(key);
      rendezvous.sessionReady(key, at);
    }
    for (const key of before.keys()) {
      if (now.has(key)) continue;
      book.linkDown(key);
      transfers.linkDown(key);
      rendezvous.sessionLost(key);
    }
  };

  const myAddress = () => (transport?.status.state === 'online' ? transport.status.address : address);

  const secure = async (link: Link, entry: LinkEntry) => {
    const remote = link.remoteAddress;
    if (!identity || !settings) throw new AgentError({ kind: 'not-configured', detail: 'No identity yet.' });
    const expected = expectationAt(remote, meeting.has(remote) ? meeting : invited, contacts);
    let refusal: ConversationProblem | undefined;
    let session: SecureLink;
    try {
      session = await establishSession(link, {
        role: entry.dialedByMe ? 'initiator' : 'responder',
        identity: sessionIdentity(identity, settings.displayName),
        randomBytes: deps.randomBytes,
        setTimeout: deps.setTimeout,
        clearTimeout: deps.clearTimeout,
        timeoutMs: deps.handshakeTimeoutMs,
        // The dialler refuses before revealing itself; the answerer checks below.
        checkPeer: entry.dialedByMe
          ? (peer) => {
              refusal = keyProblem(expected, peerView(peer));
              return refusal && { kind: 'refused-key', detail: refusal.detail };
            }
          : undefined,
      });
    } catch (error) {
      // A link replaced by another one (both sides dialled at once) failing is no failure.
      if (links.get(remote) !== entry) return;
      const problem = sessionProblem(error, refusal);
      links.delete(remote);
      dispatch({ type: 'session-failed', address: remote, problem });
      throw new AgentError(problem);
    }
    if (links.get(remote) !== entry) {
      session.close();
      return;
    }
    const presented = peerView(session.peer);
    const unwanted =
      (entry.dialedByMe ? undefined : keyProblem(expected, presented)) ??
      (entry.dialedByMe ? undefined : network.requestProblem(remote, presented, contacts)) ??
      // A rendezvous slot is for the two contacts who can name it, never a way in for requests.
      (isRendezvousId(link.localAddress) && !findContact(contacts, presented.identityKey)
        ? { kind: 'protocol-violation' as const, detail: 'a stranger at a rendezvous id' }
        : undefined) ??
      requestLimitProblem(presented, contacts, conversations.conversations);
    if (unwanted) {
      // At once, not after a linger: nothing more from this peer is read.
      links.delete(remote);
      link.close();
      dispatch({ type: 'session-failed', address: remote, problem: unwanted });
      return;
    }
    entry.session = session;
    session.onClose((why) => {
      if (links.get(remote) !== entry) return;
      links.delete(remote);
      dispatch({ type: 'link-closed', address: remote, why });
    });
    // The dialler meant to reach whoever passed its check; the answerer trusts saved contacts only.
    const trusted = entry.dialedByMe || findContact(contacts, presented.identityKey) !== undefined;
    if (!trusted) network.requestArrived(remote);
    dispatch({ type: 'session-established', address: remote, peer: presented, trusted });
    // After 'session-established': frames held by the session are read into an open conversation.
    session.onFrame((bytes) => {
      const decoded = decodeFrame(bytes);
      dispatch(
        decoded.ok
          ? { type: 'frame-received', address: remote, frame: decoded.frame, at: deps.now() }
          : { type: 'frame-rejected', address: remote, error: decoded.error },
      );
    });
    // After the reader above: the first listener takes the frames the session held back.
    keepSessionAlive(
      session,
      deps,
      () => links.get(remote) === entry,
      (detail) => {
        // Its browser closed or vanished: the contact's reach state machine starts looking at once.
        links.delete(remote);
        session.close();
        dispatch({ type: 'link-closed', address: remote, why: { kind: 'failed', detail } });
      },
    );
  };

  const adopt = (link: Link, dialedByMe: boolean): Promise<void> => {
    const remote = link.remoteAddress;
    const current = links.get(remote);
    if (current && !isLinkUp(findConversation(conversations, remote)?.stage ?? 'closed')) {
      // An ended session still flushing its last frame is no rival to a new link.
      links.delete(remote);
    } else if (current?.session) {
      // A secured session stays: a new link from the same address must not cut it (a hostile
      // signaling server could cut any session that way).
      link.close();
      return Promise.resolve();
    } else if (current?.dialedByMe && dialedByMe) {
      // We dialled this address twice (the reach state machine and the user, say): one link is
      // enough, and the second caller learns how the first one's handshake ends.
      link.close();
      return current.secured ?? Promise.resolve();
    } else if (current) {
      // Both sides dialed at once: keep the link dialed by the smaller address, on both sides.
      // Each end compares the two ids this link joins (a discovery id on a network, else transport ids).
      const keepNew = dialedByMe === link.localAddress < remote;
      if (!keepNew) {
        link.close();
        return Promise.resolve();
      }
      links.delete(remote);
      current.link.close();
    }
    const entry: LinkEntry = { link, dialedByMe };
    links.set(remote, entry);
    dispatch({ type: 'link-opened', address: remote });
    entry.secured = secure(link, entry);
    return entry.secured;
  };

  const stopTransport = () => {
    for (const cleanup of cleanups) cleanup();
    cleanups = [];
    transport?.stop();
    transport = undefined;
  };

  const openTransport = (next: Settings) => {
    stopTransport();
    // Keep this browser's address across a change of server; take a new one only when the
    // server says it is taken.
    let keep = address !== '';
    const opened = deps.openTransport(next, () => {
      if (keep) {
        keep = false;
        return address;
      }
      return nextAddress();
    });
    transport = opened;
    cleanups = [
      opened.onStatus((status) => {
        if (status.state === 'online') {
          // Contacts are dialled (and slots visited) once there is an address to dial from.
          rendezvous.start();
          if (announced !== undefined && announced !== status.address) rendezvous.ownAddressChanged(status.address);
          announced = status.address;
        }
        changed();
      }),
      opened.onIncoming((link) => void adopt(link, false).catch(() => {})),
    ];
  };

  network.onChange(changed);
  network.onIncoming((link) => void adopt(link, false).catch(() => {}));

  /** The address to dial, remembering the key an invite promised. */
  const targetOf = (input: string): string => {
    const text = input.trim();
    if (!looksLikeInvite(text)) {
      // A bare address means trust on first use, whatever an earlier invite for it said.
      invited.delete(text);
      return text;
    }
    const parsed = decodeInvite(text);
    if (!parsed.ok) {
      throw new AgentError({ kind: 'invalid-address', detail: `That invite is damaged (${parsed.error}).` });
    }
    invited.set(parsed.invite.address, toHex(parsed.invite.identityKey));
    return parsed.invite.address;
  };

  /** Dial an address (or discovery id) and secure the session; resolves once it is secured. */
  const dialTarget = async (target: string, timeoutMs?: number): Promise<void> => {
    if (target === myAddress() || network.isOwn(target)) {
      throw new AgentError({ kind: 'own-address', detail: 'That is this browser’s own address.' });
    }
    if (!isValidAddress(target)) {
      throw new AgentError({ kind: 'invalid-address', detail: `"${target}" is not a Tincan address or invite.` });
    }
    network.checkDialable(target);
    const existing = links.get(target);
    if (existing) {
      const inviteKey = invited.get(target);
      const present = existing.session?.peer;
      if (inviteKey !== undefined && present && toHex(present.identityKey) !== inviteKey) {
        throw new AgentError({
          kind: 'invite-key-mismatch',
          detail: 'The browser at this address is not the one that made the invite.',
          presentedFingerprint: peerView(present).fingerprint,
        });
      }
      if (isLinkUp(findConversation(conversations, target)?.stage ?? 'closed')) {
        // A handshake already under way (the reach state machine dialled first): its outcome is ours.
        if (!existing.session) await existing.secured;
        return;
      }
      // A session that ended (declined, say) may still be flushing its last frame: let it, but
      // it no longer stands in the way of a new dial.
      links.delete(target);
    }
    if (!transport) throw new AgentError({ kind: 'not-online', detail: 'The agent is not configured yet.' });
    dispatch({ type: 'dial-started', address: target });
    let link: Link;
    try {
      link = await (network.dialHere(target) ?? transport.dial(target, timeoutMs));
    } catch (error) {
      const problem =
        error instanceof DialError ? error.problem : { kind: 'connection-failed' as const, detail: String(error) };
      if (!links.has(target)) dispatch({ type: 'dial-failed', address: target, problem });
      throw new AgentError(problem);
    }
    await adopt(link, true);
  };

  /** Dials a contact's last known address for the reach state machine. */
  const dialContact = async (contactKey: string, address: string): Promise<DialOutcome> => {
    try {
      await dialTarget(address);
    } catch (error) {
      return error instanceof AgentError && error.problem.kind === 'key-changed' ? 'wrong-key' : 'unreachable';
    }
    const peer = findConversation(conversations, address)?.peer;
    return peer?.identityKey === contactKey ? 'ready' : 'wrong-key';
  };

  /** Meets a contact at a rendezvous router id: dialled from our transport id, their key required. */
  const meet = async (contactKey: string, routerId: string): Promise<MeetOutcome> => {
    meeting.set(routerId, contactKey);
    try {
      await dialTarget(routerId, MEET_TIMEOUT_MS);
      return findConversation(conversations, routerId)?.peer?.identityKey === contactKey ? 'met' : 'wrong-key';
    } catch (error) {
      const kind = error instanceof AgentError ? error.problem.kind : 'connection-failed';
      if (kind === 'timeout' || kind === 'handshake-timeout') return 'silent';
      if (kind === 'invite-key-mismatch') return 'wrong-key';
      return 'gone';
    } finally {
      meeting.delete(routerId);
      // A slot is visited every ten minutes for as long as a contact is away: failed attempts
      // there would pile up as conversations nobody reads.
      if (findConversation(conversations, routerId)?.stage === 'closed')
        dispatch({ type: 'forget', address: routerId });
    }
  };

  const rendezvous = agentRendezvous({
    root: ADDRESS_ROOT,
    clock: deps,
    randomBytes: deps.randomBytes,
    openTransport: (next) => {
      if (!settings) throw new AgentError({ kind: 'not-configured', detail: 'No settings yet.' });
      return deps.openTransport(settings, next);
    },
    dial: dialContact,
    meet,
    adopt: (link) => void adopt(link, false).catch(() => {}),
    announce: introduceTo,
    block: (contactKey, at) => book.block(contactKey, at),
    blocked: (contactKey) => book.blocked(contactKey),
    changed,
  });

  /** The ready conversation's contact, for calls that name a conversation by its address. */
  const contactAt = (remote: string) => {
    const key = findConversation(conversations, remote)?.peer?.identityKey;
    return key === undefined ? undefined : findContact(contacts, key);
  };

  const queueMessage = async (contactKey: string, text: string) => {
    const body = text.trim();
    if (body === '') throw new AgentError({ kind: 'bad-message', detail: 'The message is empty.' });
    if (new TextEncoder().encode(body).length > MAX_TEXT_BYTES) {
      throw new AgentError({ kind: 'bad-message', detail: 'The message is too long.' });
    }
    if (!findContact(contacts, contactKey)) {
      throw new AgentError({ kind: 'not-connected', detail: 'Messages go to saved contacts only.' });
    }
    try {
      await book.queue(contactKey, body);
    } catch (error) {
      throw new AgentError({ kind: 'not-saved', detail: `The message could not be saved (${String(error)}).` });
    }
  };

  return {
    configure(setup) {
      const previous = settings;
      settings = setup.settings;
      identity = setup.identity;
      contacts = withUnconfirmed(setup.contacts);
      // A new name or contact list applies to the next handshake; a new server or ICE list reconnects.
      if (!transport || !previous || !sameNetwork(previous, setup.settings)) openTransport(setup.settings);
      network.configure(setup.settings, setup.identity);
      rendezvous.configure(contacts);
      // History is read once; chats wait for it, connections do not.
      void book.ready().catch(() => {});
      changed();
    },

    snapshot: () => ({
      name: settings?.displayName ?? '',
      server: settings ? describeSignalingServer(settings.signaling) : '',
      status: transport?.status ?? { state: 'stopped' },
      me: meView(identity, transport?.status.state === 'online' ? transport.status.address : undefined),
      ...network.withNetwork(
        withChats(contactViews(identity, contacts, conversations.conversations), book, rendezvous.reach, deps.now()),
        contacts,
      ),
      conversations: conversationViews(conversations.conversations, book, contacts),
      chats: chatViews(contacts, book),
      transfers: transfers.views(),
    }),

    connect: (input) => dialTarget(targetOf(input)),

    answerRequest(remote, accept, identityKey) {
      const request = findConversation(conversations, remote);
      // A notification stays up: its answer is for the key it showed, not whoever is there now.
      if (request?.stage !== 'request' || (identityKey !== undefined && request.peer?.identityKey !== identityKey)) {
        throw new AgentError({ kind: 'no-request', detail: 'That request is no longer open.' });
      }
      if (!accept) network.requestDeclined(remote);
      dispatch({ type: 'request-answered', address: remote, accept });
    },

    async trustNewKey(remote) {
      const problem = findConversation(conversations, remote)?.problem;
      if (problem?.kind !== 'key-changed') {
        throw new AgentError({ kind: 'no-request', detail: 'There is no changed key to accept here.' });
      }
      changeContacts({
        type: 'key-replaced',
        oldKey: problem.contactKey,
        newKey: problem.presentedKey,
        address: remote,
      });
      await this.connect(remote);
    },

    async send(remote, text) {
      const contact = findConversation(conversations, remote)?.stage === 'ready' ? contactAt(remote) : undefined;
      if (!contact) throw new AgentError({ kind: 'not-connected', detail: 'Not connected to this contact.' });
      await queueMessage(contact.identityKey, text);
    },

    sendTo: queueMessage,

    markRead(remote) {
      const contact = contactAt(remote);
      if (contact) book.markRead(contact.identityKey);
    },

    markChatRead: (contactKey) => book.markRead(contactKey),

    async ping(contactKey) {
      const contact = findContact(contacts, contactKey);
      if (!contact) throw new AgentError({ kind: 'no-request', detail: 'That is not a saved contact.' });
      if (readyAddressOf(contactKey) !== undefined) return 'reachable';
      if (contact.address === '') return 'no-address';
      const outcome = await dialContact(contactKey, contact.address);
      return outcome === 'ready' ? 'reachable' : outcome === 'wrong-key' ? 'wrong-key' : 'no-answer';
    },

    tick: () => rendezvous.tick(),

    exportHistory: () => book.exportAll(),

    async importHistory(archive) {
      try {
        const counts = await book.importAll(archive);
        // Chats with a live link: what came in may include messages to send.
        for (const key of live.keys()) book.linkUp(key);
        return counts;
      } catch (error) {
        throw new AgentError({ kind: 'not-saved', detail: `The history could not be imported (${String(error)}).` });
      }
    },

    sendFiles: (contactKeys, sources) => transfers.sendFiles(contactKeys, sources),
    answerFile: (transferId, accept) => transfers.answer(transferId, accept),
    cancelFile: (transferId) => transfers.cancel(transferId),
    saveFile: (transferId) => transfers.save(transferId),
    fileSaved: (transferId, ok, detail) => transfers.saved(transferId, ok, detail),
    receivedFile: (transferId) => transfers.receivedFile(transferId),
    transferCounters: () => transfers.counters(),

    subscribe: (listener) => listeners.add(listener),

    stop() {
      rendezvous.stop();
      network.stop();
      stopTransport();
      changed();
    },
  };
}
