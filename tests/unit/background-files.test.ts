/**
 * The background's part in file transfers, with the downloads API and the agent as recording
 * fakes: the popup's file requests reach the agent as they are; a file the agent has verified
 * goes to downloads under a safe name; the agent hears whether it got there, once, even when a
 * service worker started later hears the end of the download. A file offered while the popup is
 * closed is notified once, and its notification goes when the offer is answered.
 */
import { describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../lib/agent/agent';
import { createBackgroundService } from '../../lib/background/background-service';
import { downloadFileName, plainFileName } from '../../lib/background/file-downloads';
import type { Attention } from '../../lib/platform/attention';
import type { IdentityStorage } from '../../lib/platform/identity-storage';
import type { SettingsStorage } from '../../lib/platform/settings-storage';
import { FACTORY_SETTINGS } from '../../lib/store/settings';
import type { TransferView } from '../../lib/transfer/transfer-view';
import { fakeDownloads } from '../support/fake-downloads';

const KEY = 'c0'.repeat(32);
const TRANSFER = 'ab'.repeat(16);
const SOURCE = 'cd'.repeat(16);
const URL = 'blob:chrome-extension://abcdefghijklmnop/6f1c0f8e-8d55-4c6e-9d2a-2f0e3c8b9a71';

function harness(files = fakeDownloads()) {
  const calls: [string, unknown][] = [];
  const notified: string[][] = [];
  const shown = new Set<string>();
  const popup = { showing: false, opened: 0 };
  const attention = {
    setUnread: () => {},
    notify: async (id: string, title: string, message: string) => {
      shown.add(id);
      notified.push([id, title, message]);
    },
    notifyRequest: async (id: string) => void shown.add(id),
    clear: async (id: string) => void shown.delete(id),
    shownIds: async () => [...shown],
    onNotificationClicked: () => () => {},
    isPopupShowing: async () => popup.showing,
    openChat: async () => void popup.opened++,
  } satisfies Attention;
  const agent = async (type: string, data?: unknown) => {
    calls.push([type, data]);
    return type === 'sendFiles' ? { transferIds: [TRANSFER] } : undefined;
  };
  const service = createBackgroundService({
    agent: agent as unknown as Parameters<typeof createBackgroundService>[0]['agent'],
    randomBytes: (length) => new Uint8Array(length),
    now: () => 0,
    settings: { load: async () => FACTORY_SETTINGS } as unknown as SettingsStorage,
    identity: { changeContacts: async () => {} } as unknown as IdentityStorage,
    attention,
    downloads: files.downloads,
    pushToPopups: () => {},
  });
  const saved = () => calls.filter(([type]) => type === 'fileSaved').map(([, data]) => data);
  return { service, calls, notified, shown, popup, files, saved };
}

const ready = (name: string) => ({ type: 'file-ready' as const, transferId: TRANSFER, url: URL, name });

describe('file requests from the popup', () => {
  it('send, answer, cancel and save go to the agent as they are', async () => {
    const { service, calls } = harness();
    const sent = await service.pageHandlers.sendFiles({ contactKeys: [KEY], sourceIds: [SOURCE] });
    await service.pageHandlers.answerFile({ transferId: TRANSFER, accept: true });
    await service.pageHandlers.cancelFile({ transferId: TRANSFER });
    await service.pageHandlers.saveFile({ transferId: TRANSFER });
    expect(sent).toEqual({ transferIds: [TRANSFER] });
    expect(calls).toEqual([
      ['sendFiles', { contactKeys: [KEY], sourceIds: [SOURCE] }],
      ['answerFile', { transferId: TRANSFER, accept: true }],
      ['cancelFile', { transferId: TRANSFER }],
      ['saveFile', { transferId: TRANSFER }],
    ]);
  });
});

describe('a received file into downloads', () => {
  it('is downloaded from the agent’s URL under its name; the agent hears once it is on disk', async () => {
    const { service, files, saved, notified } = harness();
    await service.agentHandlers.notice(ready('holiday photos.zip'));
    expect(files.started).toEqual([{ url: URL, filename: 'holiday photos.zip' }]);
    // Still being written: nothing to tell yet.
    expect(saved()).toEqual([]);
    await service.onDownloadEnded(1, { state: 'complete' });
    expect(saved()).toEqual([{ transferId: TRANSFER, ok: true }]);
    // Downloads say what they do themselves: no notification of our own.
    expect(notified).toEqual([]);
  });

  it('a worker started after the first one hears the end of its download and tells the agent', async () => {
    const files = fakeDownloads();
    const first = harness(files);
    await first.service.agentHandlers.notice(ready('report.pdf'));
    const later = harness(files);
    await later.service.onDownloadEnded(1, { state: 'complete' });
    expect(later.saved()).toEqual([{ transferId: TRANSFER, ok: true }]);
    expect(first.saved()).toEqual([]);
  });

  it('the end of a download is told once, and downloads that are not ours are not told at all', async () => {
    const { service, saved } = harness();
    await service.agentHandlers.notice(ready('report.pdf'));
    await service.onDownloadEnded(1, { state: 'complete' });
    await service.onDownloadEnded(1, { state: 'complete' });
    await service.onDownloadEnded(7, { state: 'interrupted', reason: 'FILE_FAILED' });
    expect(saved()).toEqual([{ transferId: TRANSFER, ok: true }]);
  });

  it('a download that ended before it was remembered is told at once', async () => {
    const { service, files, saved } = harness();
    files.endAtOnce({ state: 'complete' });
    await service.agentHandlers.notice(ready('tiny.txt'));
    expect(saved()).toEqual([{ transferId: TRANSFER, ok: true }]);
    await service.onDownloadEnded(1, { state: 'complete' });
    expect(saved()).toHaveLength(1);
  });

  it('an interrupted download is a failure the agent can show in words', async () => {
    const { service, saved } = harness();
    await service.agentHandlers.notice(ready('big.iso'));
    await service.onDownloadEnded(1, { state: 'interrupted', reason: 'FILE_NO_SPACE' });
    expect(saved()).toEqual([{ transferId: TRANSFER, ok: false, detail: 'The disk is full.' }]);
  });

  it('a download that cannot start is reported at once, with the browser’s reason', async () => {
    const { service, files, saved } = harness();
    files.refuseNames(() => 'Download permission denied');
    await service.agentHandlers.notice(ready('notes.txt'));
    expect(saved()).toEqual([
      { transferId: TRANSFER, ok: false, detail: 'The download could not start (Download permission denied).' },
    ]);
    expect(files.remembered.size).toBe(0);
  });

  it('a name the browser refuses is tried once more in plain letters', async () => {
    const { service, files, saved } = harness();
    files.refuseNames((name) => (/[^A-Za-z0-9._-]/.test(name) ? 'Invalid filename' : undefined));
    await service.agentHandlers.notice(ready('Ünïcode ~ name (2).tar'));
    expect(files.started.map((s) => s.filename)).toEqual(['Ünïcode ~ name (2).tar', '_n_code_name_2_.tar']);
    await service.onDownloadEnded(1, { state: 'complete' });
    expect(saved()).toEqual([{ transferId: TRANSFER, ok: true }]);
  });

  it('the name saved never holds a path, a control character, or nothing', async () => {
    const { service, files } = harness();
    for (const name of ['../../.bashrc', 'C:\\Windows\\evil.exe', 'a\u0000b\nc.txt', '...', ' ', 'con.txt']) {
      await service.agentHandlers.notice(ready(name));
    }
    for (const { filename } of files.started) {
      expect(filename).not.toMatch(/[/\\]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be there
      expect(filename).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(filename.trim()).not.toBe('');
      expect(filename.startsWith('.')).toBe(false);
    }
    expect(files.started.map((s) => s.filename)).toEqual([
      'bashrc',
      'evil.exe',
      'a_b_c.txt',
      'file',
      'file',
      'file-con.txt',
    ]);
  });
});

describe('file names for downloads', () => {
  it('plain names keep letters, digits and one short extension', () => {
    for (const name of ['résumé (final).pdf', '.hidden', '日本語.txt', 'a.b.c.tar.gz', 'x'.repeat(300), '%%%']) {
      expect(plainFileName(name)).toMatch(/^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9]{1,16})?$/);
    }
    expect(plainFileName('日本語.txt')).toBe('file.txt');
    expect(plainFileName('a.b.c.tar.gz')).toBe('a_b_c_tar.gz');
  });

  it('a safe name is left as it is', () => {
    expect(downloadFileName('Quarterly report v2.pdf')).toBe('Quarterly report v2.pdf');
  });
});

const offer = (over: Partial<TransferView> = {}): TransferView => ({
  id: TRANSFER,
  contactKey: KEY,
  direction: 'incoming',
  name: 'holiday photos.zip',
  size: 12_400_000,
  type: 'application/zip',
  status: 'offered',
  bytesDone: 0,
  bytesPerSecond: 0,
  createdAt: 0,
  ...over,
});

const withTransfers = (transfers: TransferView[]): AgentSnapshot =>
  ({
    name: '',
    server: '',
    status: { state: 'online', address: 'tincan-t-me' },
    contacts: [{ identityKey: KEY, petname: 'Carol', fingerprint: 'abcd efgh ijkl mnop' }],
    conversations: [],
    chats: [],
    transfers,
    network: { status: { state: 'off', reason: 'disabled' }, peers: [] },
  }) as unknown as AgentSnapshot;

describe('a file offered while the popup is closed', () => {
  it('raises one notification naming the contact and quoting the file’s name, not one per snapshot', async () => {
    const { service, notified } = harness();
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer()]) });
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer()]) });
    expect(notified).toEqual([
      [`tincan-file:${TRANSFER}`, 'File from Carol', '“holiday photos.zip”: open Tincan to accept or decline it.'],
    ]);
  });

  it('goes once the offer is answered; a message’s or a request’s notification stays', async () => {
    const { service, shown } = harness();
    shown.add('tincan-message:tincan-t-carol');
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer()]) });
    expect(shown.has(`tincan-file:${TRANSFER}`)).toBe(true);
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer({ status: 'moving' })]) });
    expect([...shown]).toEqual(['tincan-message:tincan-t-carol']);
  });

  it('is not raised while the popup shows, nor for files going out or already moving', async () => {
    const { service, notified, popup } = harness();
    popup.showing = true;
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer()]) });
    popup.showing = false;
    const others = [
      offer({ id: 'ef'.repeat(16), direction: 'outgoing' }),
      offer({ id: '12'.repeat(16), status: 'moving' }),
    ];
    await service.agentHandlers.notice({ type: 'changed', snapshot: withTransfers([offer(), ...others]) });
    expect(notified).toEqual([]);
  });

  it('a click on it opens the popup, where the offer waits', async () => {
    const { service, popup } = harness();
    service.onNotificationClicked(`tincan-file:${TRANSFER}`);
    expect(popup.opened).toBe(1);
  });
});
