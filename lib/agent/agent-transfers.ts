/**
 * The agent's file transfers: runs the pure reducer (lib/transfer/transfer.ts) and carries out
 * its effects — reading pieces from the source file, pacing chunks into the session, checking,
 * storing and verifying what arrives, and handing finished files to downloads.
 */
import { fromHex, toHex } from '../bytes';
import { concatBytes, equalBytes } from '../crypto/primitives';
import { encodeFrame } from '../protocol/frame';
import type { SecureLink } from '../sessions/secure-link';
import type { FileSource, TransferStore } from '../store/transfer-store';
import { digestFile, PIECE_BYTES, pieceHash, readPiece, rootOf, sha256 } from '../transfer/file-digest';
import { safeFileName } from '../transfer/file-name';
import { chunkBytesFor, paced } from '../transfer/pacing';
import {
  emptyTransfers,
  type IncomingTransfer,
  isFinished,
  type OutgoingTransfer,
  type Rejection,
  reduceTransfers,
  type Transfer,
  type TransferEffect,
  type TransferEvent,
} from '../transfer/transfer';
import type { TransferView } from '../transfer/transfer-view';
import type { FileSourceInput, TransferCounters } from './agent-api';
import { AgentError } from './agent-error';
import { fromRecord, isStale, toRecord } from './transfer-records';
import { type Preparing, preparingViews, transferSpeedometer } from './transfer-views';

export interface TransferDeps {
  openStore(): Promise<TransferStore>;
  now(): number;
  randomBytes(length: number): Uint8Array;
  setTimeout(run: () => void, ms: number): unknown;
  /** The ready session with a contact, if any. */
  session(contactKey: string): SecureLink | undefined;
  isContact(contactKey: string): boolean;
  fileUrl?(file: Blob): string;
  releaseUrl?(url: string): void;
  fileReady(transferId: string, url: string, name: string): void;
  changed(): void;
  /** Chunk size cap (benchmarks compare sizes); the frame limit otherwise. */
  chunkBytes?: number;
}

/** Pieces read back at once when a finished file is checked. */
const VERIFY_PIECES_AT_ONCE = 4;
/** Progress reaches the popup at most this often; status changes go at once. */
const PROGRESS_EVERY_MS = 250;

export function agentTransfers(deps: TransferDeps) {
  let state = emptyTransfers;
  const storeReady = deps.openStore();
  // Kept from being reported unhandled; every use below awaits it and reports its own way.
  storeReady.catch(() => {});
  const sources = new Map<string, Promise<FileSource | undefined>>();
  /** Receiver: bytes of the piece being filled, per transfer. */
  const filling = new Map<string, { index: number; parts: Uint8Array[] }>();
  /** Receiver: pieces that passed their check, waiting to be stored. */
  const checked = new Map<string, { bytes: Uint8Array; hash: Uint8Array }>();
  /** Per transfer, so checks, stores and record writes happen in order. */
  const chains = new Map<string, Promise<void>>();
  const preparing = new Map<string, Preparing>();
  /** URLs handed to downloads, per transfer, until the background says how it went. */
  const handedOut = new Map<string, string>();
  const speedometer = transferSpeedometer();
  let progressTimer: unknown;
  /** What peers sent that was not used, by reason (nothing of it was written). */
  const rejected = new Map<Rejection, number>();
  /** File bytes put on the wire and taken off it, re-sends included. */
  const wire = { sent: 0, received: 0 };

  const inOrder = (key: string, work: () => Promise<void>) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(work, work);
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  const progressed = () => {
    if (progressTimer !== undefined) return;
    progressTimer = deps.setTimeout(() => {
      progressTimer = undefined;
      deps.changed();
    }, PROGRESS_EVERY_MS);
  };

  const loaded = (async () => {
    const store = await storeReady;
    const { records } = await store.transfers();
    const restored: Transfer[] = [];
    for (const record of records) restored.push(await fromRecord(store, record));
    dispatch({ type: 'restored', transfers: restored });
    // A day after it ended a transfer leaves the list and storage (a received file once it is saved).
    for (const t of restored) if (isStale(t, deps.now())) dispatch({ type: 'forget', id: t.id });
  })();
  loaded.catch(() => {});

  /** Events wait for stored transfers to be read, so none is handled against an empty list. */
  const whenLoaded = (event: TransferEvent) => {
    void loaded.then(
      () => dispatch(event),
      () => dispatch(event),
    );
  };

  function dispatch(event: TransferEvent) {
    const before = state.transfers.get('id' in event ? event.id : '');
    const step = reduceTransfers(state, event);
    state = step.state;
    for (const effect of step.effects) run(effect);
    const after = state.transfers.get('id' in event ? event.id : '');
    if (step.effects.some((e) => e.type === 'save') || before?.status !== after?.status) deps.changed();
    else progressed();
  }

  const send = (contactKey: string, frame: Parameters<typeof encodeFrame>[0]) => {
    deps.session(contactKey)?.send(encodeFrame(frame));
  };

  const sourceOf = (t: OutgoingTransfer) => {
    let found = sources.get(t.sourceId);
    if (!found) {
      found = storeReady.then((store) => store.source(t.sourceId));
      sources.set(t.sourceId, found);
    }
    return found;
  };

  const isCurrent = (id: string, epoch: number) => {
    const t = state.transfers.get(id);
    return t?.direction === 'outgoing' && t.epoch === epoch && t.status === 'accepted' && t.online;
  };

  /** Reads a piece and paces its chunks into the session; stops early when it no longer matters. */
  const sendPiece = async (id: string, index: number, epoch: number) => {
    const t = state.transfers.get(id);
    if (t?.direction !== 'outgoing') return;
    try {
      const source = await sourceOf(t);
      if (!source?.digest) throw new Error('the file is no longer stored');
      const bytes = await readPiece(source.blob, t.meta.pieceBytes, index);
      const session = deps.session(t.contactKey);
      if (session && isCurrent(id, epoch)) {
        const frameId = fromHex(id);
        session.send(encodeFrame({ kind: 'file-piece', id: frameId, index, hash: pieceHash(source.digest, index) }));
        const step = chunkBytesFor(session, deps.chunkBytes);
        for (let offset = 0; offset < bytes.length; offset += step) {
          await paced(session);
          if (!isCurrent(id, epoch)) break;
          const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + step));
          session.send(encodeFrame({ kind: 'file-chunk', id: frameId, index, offset, bytes: chunk }));
          wire.sent += chunk.length;
        }
      }
    } catch (error) {
      dispatch({ type: 'piece-unreadable', id, detail: error instanceof Error ? error.message : String(error) });
      return;
    }
    dispatch({ type: 'piece-sent', id, index, epoch });
  };

  const checkPiece = (id: string, index: number, expected: Uint8Array) => {
    // Taken now: the next piece's chunks may arrive before the hash below is done.
    const held = filling.get(id);
    filling.delete(id);
    inOrder(id, async () => {
      if (held?.index !== index) return dispatch({ type: 'piece-checked', id, index, ok: false });
      const bytes = concatBytes(...held.parts);
      const hash = await sha256(bytes);
      const ok = equalBytes(hash, expected);
      if (ok) checked.set(`${id}:${index}`, { bytes, hash });
      dispatch({ type: 'piece-checked', id, index, ok });
    });
  };

  const storePiece = (id: string, index: number) =>
    inOrder(id, async () => {
      const piece = checked.get(`${id}:${index}`);
      checked.delete(`${id}:${index}`);
      // Dropped by a rewind after its check: only the count of pieces in hand changes.
      if (!piece) return dispatch({ type: 'piece-stored', id, index: -1 });
      try {
        const store = await storeReady;
        await store.pieces.put(id, index, piece.bytes, piece.hash);
        dispatch({ type: 'piece-stored', id, index });
      } catch (error) {
        dispatch({ type: 'store-failed', id, detail: error instanceof Error ? error.message : String(error) });
      }
    });

  /** Reads the stored file back, piece by piece, against the hashes checked on arrival and the offer's root. */
  const verify = (t: IncomingTransfer) =>
    inOrder(t.id, async () => {
      try {
        const store = await storeReady;
        const hashes = await store.pieces.hashes(t.id, t.meta.pieces);
        const file = await store.pieces.file(t.id, t.meta.type);
        if (hashes.length !== t.meta.pieces || file.size !== t.meta.size)
          return dispatch({ type: 'verified', id: t.id, ok: false, detail: 'Pieces of the file are missing.' });
        // A few pieces read and hashed at once: reading and native hashing overlap (memory: a few MiB).
        for (let first = 0; first < t.meta.pieces; first += VERIFY_PIECES_AT_ONCE) {
          const indexes = Array.from(
            { length: Math.min(VERIFY_PIECES_AT_ONCE, t.meta.pieces - first) },
            (_, i) => first + i,
          );
          const reads = await Promise.all(
            indexes.map(async (index) => sha256(await readPiece(file, t.meta.pieceBytes, index))),
          );
          if (reads.some((read, i) => !equalBytes(read, hashes[first + i] ?? new Uint8Array(0))))
            return dispatch({ type: 'verified', id: t.id, ok: false, detail: 'A stored piece changed on disk.' });
        }
        const all = new Uint8Array(hashes.length * 32);
        for (const [index, hash] of hashes.entries()) all.set(hash, index * 32);
        const ok = equalBytes(await rootOf(all), t.meta.root);
        dispatch({ type: 'verified', id: t.id, ok, detail: ok ? undefined : 'The file does not match its offer.' });
      } catch (error) {
        dispatch({ type: 'store-failed', id: t.id, detail: error instanceof Error ? error.message : String(error) });
      }
    });

  const deliver = async (t: IncomingTransfer) => {
    if (!deps.fileUrl) return;
    try {
      const store = await storeReady;
      const file = await store.pieces.file(t.id, t.meta.type);
      const url = deps.fileUrl(file);
      handedOut.set(t.id, url);
      deps.fileReady(t.id, url, safeFileName(t.meta.name));
    } catch (error) {
      dispatch({ type: 'saved', id: t.id, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  const discard = (t: Transfer | undefined, id: string) => {
    filling.delete(id);
    for (const key of checked.keys()) if (key.startsWith(`${id}:`)) checked.delete(key);
    inOrder(id, async () => {
      const store = await storeReady;
      if (!t || t.direction === 'incoming') await store.pieces.remove(id);
      if (t?.direction === 'outgoing') {
        const inUse = [...state.transfers.values()].some(
          (other) => other.direction === 'outgoing' && other.sourceId === t.sourceId && !isFinished(other),
        );
        if (!inUse) {
          sources.delete(t.sourceId);
          await store.deleteSource(t.sourceId);
        }
      }
      if (!state.transfers.has(id)) await store.deleteTransfer(id);
    });
  };

  function run(effect: TransferEffect) {
    switch (effect.type) {
      case 'send':
        return send(effect.contactKey, effect.frame);
      case 'save': {
        const record = toRecord(effect.transfer);
        return inOrder(`record:${effect.transfer.id}`, async () => {
          await (await storeReady).putTransfers([record]);
        });
      }
      case 'send-piece':
        return void sendPiece(effect.id, effect.index, effect.epoch);
      case 'append': {
        wire.received += effect.bytes.length;
        const held = filling.get(effect.id);
        // A piece begun on a link that dropped is begun again from its first byte.
        if (held?.index === effect.index && effect.offset > 0) held.parts.push(effect.bytes);
        else filling.set(effect.id, { index: effect.index, parts: [effect.bytes] });
        return;
      }
      case 'check':
        return checkPiece(effect.id, effect.index, effect.hash);
      case 'store':
        return storePiece(effect.id, effect.index);
      case 'drop': {
        const held = filling.get(effect.id);
        if (held && held.index >= effect.from) filling.delete(effect.id);
        for (const key of [...checked.keys()]) {
          const [id, index] = key.split(':');
          if (id === effect.id && Number(index) >= effect.from) checked.delete(key);
        }
        return;
      }
      case 'verify': {
        const t = state.transfers.get(effect.id);
        if (t?.direction === 'incoming') verify(t);
        return;
      }
      case 'deliver': {
        const t = state.transfers.get(effect.id);
        if (t?.direction === 'incoming') void deliver(t);
        return;
      }
      case 'discard':
        return discard(state.transfers.get(effect.id), effect.id);
      case 'offer-arrived':
        return;
      case 'rejected':
        rejected.set(effect.why, (rejected.get(effect.why) ?? 0) + 1);
        return;
    }
  }

  /** Reads (and hashes, once) each source, then offers it to every contact. */
  const sendFiles = async (contactKeys: string[], inputs: FileSourceInput[]): Promise<string[]> => {
    for (const key of contactKeys) {
      if (!deps.isContact(key))
        throw new AgentError({ kind: 'not-connected', detail: 'Files go to saved contacts only.' });
    }
    await loaded;
    const store = await storeReady;
    const ids: string[] = [];
    for (const input of inputs) {
      let source: FileSource | undefined;
      if ('sourceId' in input) {
        source = await store.source(input.sourceId);
        if (!source) throw new AgentError({ kind: 'not-saved', detail: 'That file is no longer available to send.' });
      } else {
        source = {
          id: toHex(deps.randomBytes(16)),
          blob: input.blob,
          name: input.name,
          type: input.type ?? '',
          addedAt: deps.now(),
        };
      }
      const name = safeFileName(source.name);
      const job: Preparing = {
        id: source.id,
        contactKeys,
        name,
        size: source.blob.size,
        read: 0,
        createdAt: deps.now(),
      };
      preparing.set(job.id, job);
      deps.changed();
      try {
        const digest =
          source.digest ??
          (await digestFile(source.blob, PIECE_BYTES, (read) => {
            job.read = read;
            progressed();
          }));
        source = { ...source, name, digest };
        await store.putSource(source);
      } catch (error) {
        throw new AgentError({ kind: 'not-saved', detail: `The file could not be read (${String(error)}).` });
      } finally {
        preparing.delete(job.id);
      }
      const digest = source.digest;
      if (!digest) continue;
      sources.set(source.id, Promise.resolve(source));
      for (const contactKey of contactKeys) {
        const id = toHex(deps.randomBytes(16));
        ids.push(id);
        dispatch({
          type: 'created',
          transfer: {
            direction: 'outgoing',
            id,
            contactKey,
            sourceId: source.id,
            meta: {
              name,
              type: source.type.slice(0, 127),
              size: source.blob.size,
              pieceBytes: digest.pieceBytes,
              pieces: digest.pieces,
              root: digest.root,
            },
            createdAt: deps.now(),
            online: deps.session(contactKey) !== undefined,
            status: 'offered',
            acked: 0,
            epoch: 0,
          },
        });
      }
    }
    return ids;
  };

  const known = (id: string) => {
    const t = state.transfers.get(id);
    if (!t) throw new AgentError({ kind: 'no-request', detail: 'That transfer is no longer here.' });
    return t;
  };

  return {
    ready: () => loaded,
    counters: (): TransferCounters => ({
      chunkBytesSent: wire.sent,
      chunkBytesReceived: wire.received,
      rejected: Object.fromEntries(rejected) as Partial<Record<Rejection, number>>,
    }),
    linkUp: (contactKey: string) => whenLoaded({ type: 'link-up', contactKey }),
    linkDown: (contactKey: string) => whenLoaded({ type: 'link-down', contactKey }),
    frame: (contactKey: string, frame: Extract<TransferEvent, { type: 'frame' }>['frame']) =>
      whenLoaded({ type: 'frame', contactKey, frame, at: deps.now() }),
    sendFiles,
    async answer(id: string, accept: boolean) {
      await loaded;
      const t = known(id);
      if (t.direction !== 'incoming' || t.status !== 'offered')
        throw new AgentError({ kind: 'no-request', detail: 'That offer is no longer open.' });
      dispatch({ type: 'answer', id, accept });
    },
    async cancel(id: string) {
      await loaded;
      const t = known(id);
      if (isFinished(t)) dispatch({ type: 'forget', id });
      else dispatch({ type: 'cancel', id });
    },
    async save(id: string) {
      await loaded;
      const t = known(id);
      if (t.direction !== 'incoming' || t.status !== 'done')
        throw new AgentError({ kind: 'no-request', detail: 'That file has not arrived yet.' });
      await deliver(t);
    },
    saved(id: string, ok: boolean, detail?: string) {
      // The download has the bytes (or failed): the URL need not pin the file any longer.
      const url = handedOut.get(id);
      handedOut.delete(id);
      if (url !== undefined) deps.releaseUrl?.(url);
      whenLoaded({ type: 'saved', id, ok, detail });
    },
    async receivedFile(id: string): Promise<Blob | undefined> {
      await loaded;
      const t = state.transfers.get(id);
      if (t?.direction !== 'incoming' || t.status !== 'done') return undefined;
      return (await storeReady).pieces.file(id, t.meta.type);
    },
    views(): TransferView[] {
      const now = deps.now();
      const list = preparingViews(preparing.values());
      for (const t of state.transfers.values()) if (!isStale(t, now)) list.push(speedometer.view(t, now));
      return list.sort((a, b) => b.createdAt - a.createdAt);
    },
  };
}
