/**
 * A page that bench/support/chromium-transfer.ts bundles into its own copy of the built
 * extension (never into the shipped one) as `bench-transfer.html`: an extension page, so it
 * shares the agent's IndexedDB and may drive the background, as the popup does. It stores a
 * chosen file with `saveFileSource` and makes `pageToBackground` requests for the bench.
 */
import { toHex } from '../../lib/bytes';
import { pageToBackground } from '../../lib/messaging/page-messages';
import { channelClient } from '../../lib/platform/runtime-messaging';
import { saveFileSource } from '../../lib/store/transfer-store';

const request = channelClient(pageToBackground);

async function saveFile(file: File): Promise<string> {
  const id = toHex(crypto.getRandomValues(new Uint8Array(16)));
  await saveFileSource(
    { indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange },
    { blob: file, name: file.name, type: file.type },
    id,
    Date.now(),
  );
  return id;
}

Object.assign(globalThis, { tincanBench: { request, saveFile } });
