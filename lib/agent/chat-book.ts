/**
 * Every contact's chat as it outlives connections and restarts: the delivery reducer per
 * contact (lib/sessions/delivery.ts), carried out against the chat store (IndexedDB) and
 * whichever session to the contact is up.
 *
 * Write-ahead, group commit: each step's writes join one transaction with those of the steps
 * around it, and what the step sends leaves only after that transaction committed — a message
 * is in the outbox before it is on the wire, and an ack never leaves before what it acknowledges
 * is stored. A crash anywhere loses nothing: the sender still holds whatever was not acked.
 */
import { toHex } from '../bytes';
import type { AckFrame, ChatFrame } from '../protocol/frame';
import {
  type DeliveryEffect,
  type DeliveryEvent,
  type DeliveryState,
  newDelivery,
  reduceDelivery,
  restoreDelivery,
} from '../sessions/delivery';
import type { ChatRecord, ChatWrite, MessageState, StoredMessage } from '../store/chat-records';
import type { ChatStore } from '../store/chat-store';
import { fromHexId, type MessageView, messageView } from './chat-views';

/** What a snapshot shows of each chat: the newest messages (older ones stay in the store). */
export const SHOWN_MESSAGES = 200;

export interface ChatBookDeps {
  openStore(): Promise<ChatStore>;
  now(): number;
  randomBytes(length: number): Uint8Array;
  /** Puts a frame on the contact's ready session, if there is one (else it is dropped: acks and
   *  retransmissions make up for it on the next link). */
  transmit(contactKey: string, frame: ChatFrame | AckFrame): void;
  changed(): void;
  /** A new message from a contact, stored. */
  arrived(contactKey: string, message: MessageView, unreadTotal: number): void;
}

type Chat = {
  contactKey: string;
  delivery: DeliveryState;
  recent: MessageView[];
  unread: number;
  lastSeenAt: number | null;
  blocked: string[];
};

type Batch = { writes: ChatWrite[]; after: Array<() => void>; settle: Array<(error?: unknown) => void> };

export type ChatBook = ReturnType<typeof createChatBook>;

export function createChatBook(deps: ChatBookDeps) {
  const chats = new Map<string, Chat>();
  let loaded: Promise<void> | undefined;
  let opened: ChatStore | undefined;
  let pending: Batch | undefined;
  let flushing = false;

  const newStream = () => {
    const [a = 0, b = 0, c = 0, d = 0] = deps.randomBytes(4);
    return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  };

  const record = (chat: Chat): ChatRecord => ({
    contactKey: chat.contactKey,
    stream: chat.delivery.stream,
    nextSeq: chat.delivery.nextSeq,
    peerStream: chat.delivery.peerStream,
    receivedUpTo: chat.delivery.receivedUpTo,
    unread: chat.unread,
    lastSeenAt: chat.lastSeenAt,
    blockedAddresses: chat.blocked,
  });

  /** One transaction at a time; steps queued meanwhile share the next one. */
  const flush = async () => {
    if (flushing) return;
    flushing = true;
    while (pending) {
      const batch = pending;
      pending = undefined;
      try {
        await ready();
        if (!opened) throw new Error('the chat store is not open');
        await opened.write(batch.writes);
      } catch (error) {
        // Nothing of this batch reached the disk, so nothing of it may reach the wire: the
        // sender keeps what we did not ack, and the user is told the message was not saved.
        for (const settle of batch.settle) settle(error);
        continue;
      }
      for (const run of batch.after) run();
      for (const settle of batch.settle) settle();
    }
    flushing = false;
  };

  const enqueue = (writes: ChatWrite[], after: Array<() => void>): Promise<void> =>
    new Promise((resolve, reject) => {
      pending ??= { writes: [], after: [], settle: [] };
      pending.writes.push(...writes);
      pending.after.push(...after);
      pending.settle.push((error) => (error === undefined ? resolve() : reject(error)));
      void flush();
    });

  const chatFor = (contactKey: string): Chat => {
    let chat = chats.get(contactKey);
    if (!chat) {
      chat = { contactKey, delivery: newDelivery(newStream()), recent: [], unread: 0, lastSeenAt: null, blocked: [] };
      chats.set(contactKey, chat);
    }
    return chat;
  };

  const show = (chat: Chat, message: MessageView) => {
    chat.recent = [...chat.recent, message].slice(-SHOWN_MESSAGES);
  };

  const setState = (chat: Chat, ids: ReadonlySet<string>, state: MessageState) => {
    chat.recent = chat.recent.map((m) => (m.from === 'me' && ids.has(m.id) ? { ...m, state } : m));
  };

  /** Runs one delivery event and queues what it asks for; resolves once its writes committed. */
  const step = (chat: Chat, event: DeliveryEvent): Promise<void> => {
    const result = reduceDelivery(chat.delivery, event);
    chat.delivery = result.state;
    const writes: ChatWrite[] = [];
    const after: Array<() => void> = [];
    for (const effect of result.effects) carryOut(chat, effect, writes, after);
    writes.push({ type: 'chat', chat: record(chat) });
    deps.changed();
    return enqueue(writes, after);
  };

  const carryOut = (chat: Chat, effect: DeliveryEffect, writes: ChatWrite[], after: Array<() => void>) => {
    const { contactKey } = chat;
    switch (effect.type) {
      case 'store-outgoing': {
        const { message } = effect;
        const at = deps.now();
        writes.push({ type: 'outbox-add', entry: { contactKey, ...message } });
        writes.push({
          type: 'message',
          message: { contactKey, ...message, from: 'me', at, state: 'pending' },
        });
        show(chat, { ...messageView({ ...message, from: 'me', at, state: 'pending' }) });
        return;
      }
      case 'transmit': {
        const { message, stream, floor } = effect;
        const ids = new Set([message.id]);
        if (chat.recent.some((m) => m.id === message.id && m.state === 'pending')) {
          setState(chat, ids, 'sent');
          writes.push({ type: 'message-state', contactKey, ids: [message.id], state: 'sent' });
        }
        after.push(() =>
          deps.transmit(contactKey, {
            kind: 'chat',
            id: fromHexId(message.id),
            stream,
            seq: message.seq,
            floor,
            sentAt: message.sentAt,
            text: message.text,
          }),
        );
        return;
      }
      case 'send-ack': {
        const { stream, upTo } = effect;
        after.push(() => deps.transmit(contactKey, { kind: 'ack', stream, upTo }));
        return;
      }
      case 'delivered':
        setState(chat, new Set(effect.ids), 'delivered');
        writes.push({ type: 'message-state', contactKey, ids: effect.ids, state: 'delivered' });
        writes.push({ type: 'outbox-remove', contactKey, upToSeq: effect.upTo });
        return;
      case 'deliver': {
        const at = deps.now();
        for (const message of effect.messages) {
          const stored: StoredMessage = { contactKey, ...message, from: 'peer', at, state: 'received' };
          writes.push({ type: 'message', message: stored });
          const view = messageView(stored);
          show(chat, view);
          chat.unread += 1;
          after.push(() => deps.arrived(contactKey, view, unreadTotal()));
        }
        return;
      }
    }
  };

  const unreadTotal = () => [...chats.values()].reduce((sum, chat) => sum + chat.unread, 0);

  const load = async () => {
    const store = await deps.openStore();
    opened = store;
    const { chats: stored, outbox } = await store.load();
    for (const saved of stored) {
      const entries = outbox.filter((e) => e.contactKey === saved.contactKey).sort((a, b) => a.seq - b.seq);
      const recent = await store.recent(saved.contactKey, SHOWN_MESSAGES);
      chats.set(saved.contactKey, {
        contactKey: saved.contactKey,
        delivery: restoreDelivery(
          saved,
          entries.map(({ id, seq, text, sentAt }) => ({ id, seq, text, sentAt })),
        ),
        recent: recent.map(messageView),
        unread: saved.unread,
        lastSeenAt: saved.lastSeenAt,
        blocked: saved.blockedAddresses,
      });
    }
    deps.changed();
  };

  /** Opens and reads the store once; every write waits for it. */
  const ready = (): Promise<void> => {
    loaded ??= load().then(() => {
      isLoaded = true;
    });
    return loaded;
  };
  let isLoaded = false;

  /**
   * Links and frames that come before the history is read wait for it, in order: a chat made up
   * meanwhile would start a new stream and count from zero, and the stored one would then
   * overwrite it — losing acks and what it received.
   */
  const whenLoaded = (run: () => void) => {
    if (isLoaded) return run();
    void ready().then(run, () => {});
  };

  return {
    ready,

    /** The user wrote `text` to a contact: stored in the outbox, sent now or when they are next reachable. */
    async queue(contactKey: string, text: string): Promise<MessageView> {
      await ready();
      const chat = chatFor(contactKey);
      const id = toHex(deps.randomBytes(16));
      const written = step(chat, { type: 'queued', id, text, sentAt: deps.now() });
      const view = chat.recent.find((m) => m.id === id);
      await written;
      if (!view) throw new Error('queued message vanished');
      return view;
    },

    /** A session with the contact is ready: retransmit what is unacknowledged. */
    linkUp(contactKey: string) {
      const at = deps.now();
      whenLoaded(() => {
        const chat = chatFor(contactKey);
        chat.lastSeenAt = at;
        void step(chat, { type: 'link-up' }).catch(() => {});
      });
    },

    linkDown(contactKey: string) {
      const at = deps.now();
      whenLoaded(() => {
        const chat = chats.get(contactKey);
        if (!chat) return;
        chat.lastSeenAt = at;
        void step(chat, { type: 'link-down' }).catch(() => {});
      });
    },

    /** A chat or ack frame from the contact's ready session. */
    frame(contactKey: string, frame: ChatFrame | AckFrame) {
      whenLoaded(() => this.receive(contactKey, frame));
    },

    receive(contactKey: string, frame: ChatFrame | AckFrame) {
      const chat = chatFor(contactKey);
      const event: DeliveryEvent =
        frame.kind === 'ack'
          ? { type: 'ack-received', stream: frame.stream, upTo: frame.upTo }
          : {
              type: 'chat-received',
              stream: frame.stream,
              seq: frame.seq,
              floor: frame.floor,
              id: toHex(frame.id),
              text: frame.text,
              sentAt: frame.sentAt,
            };
      void step(chat, event).catch(() => {});
    },

    markRead(contactKey: string) {
      whenLoaded(() => this.markReadNow(contactKey));
    },

    markReadNow(contactKey: string) {
      const chat = chats.get(contactKey);
      if (!chat || chat.unread === 0) return;
      chat.unread = 0;
      deps.changed();
      void enqueue([{ type: 'chat', chat: record(chat) }], []).catch(() => {});
    },

    /** An address that answered with someone else's key: never dialled for this contact again. */
    block(contactKey: string, address: string) {
      whenLoaded(() => this.blockNow(contactKey, address));
    },

    blockNow(contactKey: string, address: string) {
      const chat = chatFor(contactKey);
      if (chat.blocked.includes(address)) return;
      chat.blocked = [...chat.blocked, address].slice(-32);
      void enqueue([{ type: 'chat', chat: record(chat) }], []).catch(() => {});
    },

    blocked: (contactKey: string): readonly string[] => chats.get(contactKey)?.blocked ?? [],
    lastSeenAt: (contactKey: string): number | null => chats.get(contactKey)?.lastSeenAt ?? null,
    messages: (contactKey: string): MessageView[] => chats.get(contactKey)?.recent ?? [],
    unread: (contactKey: string): number => chats.get(contactKey)?.unread ?? 0,
    pending: (contactKey: string): number => chats.get(contactKey)?.delivery.outbox.length ?? 0,
    unreadTotal,
    contactKeys: (): string[] => [...chats.keys()],

    /** Everything, for the passphrase-encrypted backup. */
    /**
     * A backup's history, merged into the store; the book is read again from the store. Links up
     * now are dropped and raised again so the merged outbox is sent.
     */
    async importAll(archive: unknown): Promise<{ chats: number; messages: number }> {
      await ready();
      if (!opened) throw new Error('the chat store is not open');
      const result = await opened.importAll(archive);
      if (!result.ok) throw new Error(result.error);
      chats.clear();
      isLoaded = false;
      loaded = load().then(() => {
        isLoaded = true;
      });
      await loaded;
      return { chats: result.chats, messages: result.messages };
    },

    async exportAll() {
      await ready();
      if (!opened) throw new Error('the chat store is not open');
      return opened.exportAll();
    },
  };
}
