/**
 * The chat book carries out the delivery reducer against a real IndexedDB (fake-indexeddb) and a
 * wire between two books: what a user writes is stored before it leaves, acked only once stored,
 * and survives a restart of either side at any moment.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type ChatBook, createChatBook } from '../../lib/agent/chat-book';
import type { AckFrame, ChatFrame } from '../../lib/protocol/frame';
import { type IndexedDBHost, openChatStore } from '../../lib/store/chat-store';

const ALICE = 'a1'.repeat(32);
const BOB = 'b0'.repeat(32);
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

type Side = { book: ChatBook; host: IndexedDBHost; wire: Array<ChatFrame | AckFrame>; up: boolean; arrived: string[] };

/** One browser: its own IndexedDB, a book, and frames it sent waiting on the wire. */
function side(host: IndexedDBHost = { indexedDB: new IDBFactory(), IDBKeyRange }): Side {
  const s: Side = { host, wire: [], up: false, arrived: [], book: undefined as unknown as ChatBook };
  s.book = createChatBook({
    openStore: () => openChatStore(host),
    now: () => Date.now(),
    randomBytes: random,
    transmit: (_, frame) => {
      if (s.up) s.wire.push(frame);
    },
    changed: () => {},
    arrived: (_, message) => s.arrived.push(message.text),
  });
  return s;
}

/** Delivers what each side put on the wire to the other, until nothing has moved for a while. */
async function flow(alice: Side, bob: Side): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < 400 && quiet < 10; round++) {
    await tick();
    const [a, b] = [alice.wire.splice(0), bob.wire.splice(0)];
    quiet = a.length === 0 && b.length === 0 ? quiet + 1 : 0;
    for (const frame of a) bob.book.frame(ALICE, frame);
    for (const frame of b) alice.book.frame(BOB, frame);
  }
}

function connect(alice: Side, bob: Side) {
  alice.up = true;
  bob.up = true;
  alice.book.linkUp(BOB);
  bob.book.linkUp(ALICE);
}

describe('the chat book', () => {
  it('messages written while apart arrive once, in order, and the writer sees them delivered', async () => {
    const [alice, bob] = [side(), side()];
    await Promise.all([alice.book.ready(), bob.book.ready()]);
    for (let i = 1; i <= 20; i++) await alice.book.queue(BOB, `m${i}`);
    expect(alice.book.messages(BOB).map((m) => m.state)).toEqual(Array(20).fill('pending'));
    connect(alice, bob);
    await flow(alice, bob);
    expect(bob.arrived).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    expect(alice.book.pending(BOB)).toBe(0);
    expect(alice.book.messages(BOB).every((m) => m.state === 'delivered')).toBe(true);
  });

  it('a restart in the middle (frames in flight lost) loses and duplicates nothing', async () => {
    let [alice, bob] = [side(), side()];
    for (let i = 1; i <= 10; i++) await alice.book.queue(BOB, `m${i}`);
    connect(alice, bob);
    // Half of Alice's frames reach Bob; then both browsers stop with the rest in flight.
    await tick();
    const sent = alice.wire.splice(0);
    for (const frame of sent.slice(0, 5)) bob.book.frame(ALICE, frame);
    await tick();
    alice = side(alice.host);
    bob = side(bob.host);
    for (let i = 11; i <= 15; i++) await alice.book.queue(BOB, `m${i}`);
    connect(alice, bob);
    await flow(alice, bob);
    // Bob's first five came before the restart: what he holds is the whole run, once.
    const store = await openChatStore(bob.host);
    const held = (await store.exportAll()).messages.filter((m) => m.from === 'peer').map((m) => m.text);
    store.close();
    expect(held.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `m${i + 1}`).sort());
    expect(alice.book.pending(BOB)).toBe(0);
  });

  it('a link that comes up before the history is read still resumes the stored conversation', async () => {
    const [alice, bob] = [side(), side()];
    for (let i = 1; i <= 3; i++) await alice.book.queue(BOB, `first ${i}`);
    connect(alice, bob);
    await flow(alice, bob);
    // Bob restarts, and his link is up (and frames arrive) before his book has read the store.
    const again = side(bob.host);
    again.up = true;
    again.book.linkUp(ALICE);
    alice.book.linkDown(BOB);
    alice.book.linkUp(BOB);
    for (let i = 1; i <= 3; i++) await alice.book.queue(BOB, `second ${i}`);
    await flow(alice, again);
    expect(again.arrived).toEqual(['second 1', 'second 2', 'second 3']);
    expect(alice.book.pending(BOB)).toBe(0);
  });
});
