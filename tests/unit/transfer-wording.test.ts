/**
 * What a file transfer's card says: sizes, speed and time left as people read them, and a line
 * for every state a transfer can be in, either way.
 */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatSpeed,
  formatTimeLeft,
  isFinished,
  progressLine,
  showsProgress,
  statusLine,
} from '../../components/transfer-wording';
import type { TransferStatus, TransferView } from '../../lib/transfer/transfer-view';

const ALL: TransferStatus[] = [
  'preparing',
  'offered',
  'moving',
  'waiting',
  'verifying',
  'done',
  'declined',
  'cancelled',
  'failed',
];

describe('sizes, speeds and time left', () => {
  it('sizes read in decimal units, one decimal below 100, and never "1000 KB"', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(99_940)).toBe('99.9 KB');
    expect(formatBytes(99_960)).toBe('100 KB');
    expect(formatBytes(999_400)).toBe('999 KB');
    expect(formatBytes(999_700)).toBe('1.0 MB');
    expect(formatBytes(12_400_000)).toBe('12.4 MB');
    expect(formatBytes(8 * 1024 * 1024)).toBe('8.4 MB');
    expect(formatBytes(512_000_000)).toBe('512 MB');
    expect(formatBytes(1.5e9)).toBe('1.5 GB');
    expect(formatBytes(3e15)).toBe('3000 TB');
  });

  it('nonsense sizes read as nothing rather than NaN', () => {
    expect(formatBytes(Number.NaN)).toBe('0 B');
    expect(formatBytes(-5)).toBe('0 B');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('0 B');
  });

  it('speed is a size per second', () => {
    expect(formatSpeed(2_300_000)).toBe('2.3 MB/s');
    expect(formatSpeed(0)).toBe('0 B/s');
  });

  it('time left in seconds, then minutes, then hours and minutes', () => {
    expect(formatTimeLeft(undefined)).toBe('');
    expect(formatTimeLeft(Number.NaN)).toBe('');
    expect(formatTimeLeft(0)).toBe('1 s left');
    expect(formatTimeLeft(0.2)).toBe('1 s left');
    expect(formatTimeLeft(8)).toBe('8 s left');
    expect(formatTimeLeft(59)).toBe('59 s left');
    expect(formatTimeLeft(60)).toBe('1 min left');
    expect(formatTimeLeft(125)).toBe('2 min left');
    expect(formatTimeLeft(3599)).toBe('1 h left');
    expect(formatTimeLeft(3900)).toBe('1 h 5 min left');
    expect(formatTimeLeft(7200)).toBe('2 h left');
    expect(formatTimeLeft(86_400)).toBe('over a day left');
  });
});

const view = (over: Partial<TransferView>): TransferView => ({
  id: 'ab'.repeat(16),
  contactKey: 'c0'.repeat(32),
  direction: 'outgoing',
  name: 'holiday.zip',
  size: 8_400_000,
  type: 'application/zip',
  status: 'moving',
  bytesDone: 3_100_000,
  bytesPerSecond: 2_300_000,
  secondsLeft: 3,
  createdAt: 0,
  ...over,
});

describe('a transfer’s progress line', () => {
  it('while bytes move: done of size, speed and time left', () => {
    expect(progressLine(view({}))).toBe('3.1 MB of 8.4 MB · 2.3 MB/s · 3 s left');
  });

  it('with no speed measured yet, or not moving, only done of size', () => {
    expect(progressLine(view({ bytesPerSecond: 0, secondsLeft: undefined }))).toBe('3.1 MB of 8.4 MB');
    expect(progressLine(view({ status: 'waiting' }))).toBe('3.1 MB of 8.4 MB');
  });

  it('a bar is shown while the file is read, sent, waited for or checked, and not once it is finished', () => {
    expect(ALL.filter(showsProgress)).toEqual(['preparing', 'moving', 'waiting', 'verifying']);
    expect(ALL.filter(isFinished)).toEqual(['done', 'declined', 'cancelled', 'failed']);
  });
});

describe('a transfer’s status line', () => {
  const say = (over: Partial<TransferView>) => statusLine(view(over), 'Bob').text;

  it('has words for every state, both ways', () => {
    for (const status of ALL) {
      for (const direction of ['outgoing', 'incoming'] as const) {
        const line = statusLine(view({ status, direction }), 'Bob');
        expect(line.text.length).toBeGreaterThan(0);
        expect(['ok', 'busy', 'bad', 'muted']).toContain(line.tone);
      }
    }
  });

  it('an offer waits for the other side, or asks this one', () => {
    expect(say({ status: 'offered' })).toBe('Waiting for Bob to accept');
    expect(say({ status: 'offered', direction: 'incoming' })).toBe('Bob wants to send you this file');
  });

  it('moving, paused while the contact is away, and checked at the end', () => {
    expect(say({ status: 'preparing' })).toBe('Getting the file ready…');
    expect(say({ status: 'moving' })).toBe('Sending…');
    expect(say({ status: 'moving', direction: 'incoming' })).toBe('Receiving…');
    expect(say({ status: 'waiting' })).toBe('Paused — resumes when Bob is back');
    expect(say({ status: 'verifying' })).toBe('Bob is checking the file…');
    expect(say({ status: 'verifying', direction: 'incoming' })).toBe('Checking the file…');
  });

  it('done: sent, saved to downloads, or received and not saved yet (with the reason when there is one)', () => {
    expect(say({ status: 'done' })).toBe('Sent');
    expect(statusLine(view({ status: 'done' }), 'Bob').tone).toBe('ok');
    expect(say({ status: 'done', direction: 'incoming', saved: true })).toBe('Saved to downloads');
    expect(say({ status: 'done', direction: 'incoming', saved: false })).toBe('Received — not in downloads yet');
    const refused = view({
      status: 'done',
      direction: 'incoming',
      saved: false,
      problem: { kind: 'download', detail: 'The disk is full.' },
    });
    expect(statusLine(refused, 'Bob')).toEqual({ text: 'Received, not saved: The disk is full.', tone: 'bad' });
  });

  it('declined says who declined; cancelled and failed say so, failures with their detail', () => {
    expect(say({ status: 'declined' })).toBe('Bob declined');
    expect(say({ status: 'declined', direction: 'incoming' })).toBe('You declined');
    expect(say({ status: 'cancelled' })).toBe('Cancelled');
    expect(say({ status: 'failed' })).toBe('Failed');
    expect(say({ status: 'failed', problem: { kind: 'damaged', detail: 'piece 3 failed its hash' } })).toBe(
      'Failed: the file arrived damaged again and again (piece 3 failed its hash)',
    );
    expect(say({ status: 'failed', problem: { kind: 'storage', detail: 'NotReadableError' } })).toBe(
      'Failed: the file could not be read (NotReadableError)',
    );
    expect(say({ status: 'failed', direction: 'incoming', problem: { kind: 'storage', detail: 'quota' } })).toBe(
      'Failed: the file could not be stored (quota)',
    );
    expect(statusLine(view({ status: 'failed' }), 'Bob').tone).toBe('bad');
  });
});
