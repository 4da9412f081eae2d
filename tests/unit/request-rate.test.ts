import { describe, expect, it } from 'vitest';
import {
  DECLINE_COOLDOWN_MS,
  MAX_REQUESTS_PER_WINDOW,
  REQUEST_WINDOW_MS,
  type RequestHistory,
  rememberDecline,
  rememberRequest,
  requestRateProblem,
} from '../../lib/agent/trust';
import type { Contact } from '../../lib/store/contacts';

const ADDRESS = 'tincan-abcdefghijklmnop-d-qrstuvwxyzabcdef';
const OTHER = 'tincan-abcdefghijklmnop-d-zzzzzzzzzzzzzzzz';
const stranger = { identityKey: 'aa'.repeat(32), name: 'x', fingerprint: 'f' };
const contact: Contact = {
  identityKey: 'aa'.repeat(32),
  petname: 'X',
  address: '',
  verified: false,
  addedAt: 0,
  special: false,
  rendezvousPaused: false,
};
const T = 1_000_000;

const historyOf = (steps: Array<['request' | 'decline', number]>, address = ADDRESS): RequestHistory =>
  steps.reduce<RequestHistory>(
    (h, [kind, at]) => (kind === 'request' ? rememberRequest(h, address, at) : rememberDecline(h, address, at)),
    new Map(),
  );

describe('connection requests from one discovery id', () => {
  it('a first request is welcome', () => {
    expect(requestRateProblem(new Map(), ADDRESS, stranger, [], T)).toBeUndefined();
  });

  it(`after a decline, the same id is turned away for ${DECLINE_COOLDOWN_MS / 60_000} minutes, then may ask again`, () => {
    const history = historyOf([
      ['request', T],
      ['decline', T + 1_000],
    ]);
    expect(requestRateProblem(history, ADDRESS, stranger, [], T + 2_000)?.kind).toBe('rate-limited');
    expect(requestRateProblem(history, ADDRESS, stranger, [], T + 1_000 + DECLINE_COOLDOWN_MS)).toBeUndefined();
  });

  it(`at most ${MAX_REQUESTS_PER_WINDOW} requests in ${REQUEST_WINDOW_MS / 60_000} minutes, answered or not`, () => {
    const history = historyOf(Array.from({ length: MAX_REQUESTS_PER_WINDOW }, (_, i) => ['request', T + i] as const));
    expect(requestRateProblem(history, ADDRESS, stranger, [], T + 10)?.kind).toBe('rate-limited');
    expect(requestRateProblem(history, OTHER, stranger, [], T + 10)).toBeUndefined();
    expect(requestRateProblem(history, ADDRESS, stranger, [], T + REQUEST_WINDOW_MS + 5)).toBeUndefined();
  });

  it('a saved contact is never limited', () => {
    const history = historyOf([
      ['request', T],
      ['decline', T],
    ]);
    expect(requestRateProblem(history, ADDRESS, stranger, [contact], T + 1)).toBeUndefined();
  });

  it('the history forgets ids with nothing recent, so fresh ids cannot grow it without bound', () => {
    let history: RequestHistory = new Map();
    for (let i = 0; i < 1_000; i++) history = rememberRequest(history, `${ADDRESS}${i}`, T + i * REQUEST_WINDOW_MS);
    expect(history.size).toBe(1);
  });
});
