/**
 * Typed request/response messaging between two extension contexts. A channel is one message
 * map for one pair of contexts; every request names its channel, so a context that hears
 * runtime broadcasts meant for another pair ignores them. Requests arrive as `unknown` and
 * are validated against the map before a handler sees them; handler errors travel back as a
 * closed set of kinds.
 */
import type { z } from 'zod';

export type MessageSpec = { request: z.ZodType; response: z.ZodType };
export type MessageMap = Record<string, MessageSpec>;

export interface Channel<M extends MessageMap> {
  readonly name: string;
  readonly map: M;
}

export type RequestOf<M extends MessageMap, K extends keyof M> = z.infer<M[K]['request']>;
export type ResponseOf<M extends MessageMap, K extends keyof M> = z.infer<M[K]['response']>;

export type Handlers<M extends MessageMap> = {
  [K in keyof M]: (data: RequestOf<M, K>) => ResponseOf<M, K> | Promise<ResponseOf<M, K>>;
};

/** Why a request failed, as the caller (and the user) sees it. */
export type RemoteProblem = { kind: string; detail: string };

export type Reply = { ok: true; value: unknown } | { ok: false; problem: RemoteProblem };

export type Envelope = { channel: string; type: string; data: unknown };

export class RemoteError extends Error {
  constructor(readonly problem: RemoteProblem) {
    super(problem.detail);
    this.name = 'RemoteError';
  }
}

export function defineChannel<M extends MessageMap>(name: string, map: M): Channel<M> {
  return { name, map };
}

export function envelope<M extends MessageMap, K extends keyof M & string>(
  channel: Channel<M>,
  type: K,
  data: RequestOf<M, K>,
): Envelope {
  return { channel: channel.name, type, data };
}

export type ParsedRequest =
  | { kind: 'not-mine' }
  | { kind: 'invalid'; problem: RemoteProblem }
  | { kind: 'request'; type: string; data: unknown };

/** Reads a runtime message from `unknown`: someone else's, malformed, or a valid request. */
export function parseRequest<M extends MessageMap>(channel: Channel<M>, raw: unknown): ParsedRequest {
  if (typeof raw !== 'object' || raw === null) return { kind: 'not-mine' };
  const { channel: name, type, data } = raw as Record<string, unknown>;
  if (name !== channel.name) return { kind: 'not-mine' };
  if (typeof type !== 'string' || !Object.hasOwn(channel.map, type)) {
    return { kind: 'invalid', problem: { kind: 'unknown-request', detail: `unknown request "${String(type)}"` } };
  }
  const spec = channel.map[type] as MessageSpec;
  const parsed = spec.request.safeParse(data);
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problem: { kind: 'bad-request', detail: `${type}: ${parsed.error.issues[0]?.message ?? 'invalid'}` },
    };
  }
  return { kind: 'request', type, data: parsed.data };
}

/** Runs the handler for a parsed request and turns any outcome into a `Reply`. */
export async function dispatchRequest<M extends MessageMap>(
  handlers: Handlers<M>,
  type: string,
  data: unknown,
): Promise<Reply> {
  try {
    const handler = handlers[type as keyof M] as (data: unknown) => unknown;
    return { ok: true, value: await handler(data) };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}

function problemOf(error: unknown): RemoteProblem {
  if (typeof error === 'object' && error !== null && 'problem' in error) {
    const { problem } = error as { problem: unknown };
    if (typeof problem === 'object' && problem !== null) {
      const { kind, detail } = problem as Record<string, unknown>;
      if (typeof kind === 'string' && typeof detail === 'string') return { kind, detail };
    }
  }
  return { kind: 'internal', detail: error instanceof Error ? error.message : String(error) };
}

/** Reads a reply from `unknown` (a context that did not answer gives `undefined`). */
export function parseReply(raw: unknown): Reply {
  if (typeof raw === 'object' && raw !== null && 'ok' in raw) {
    const reply = raw as Record<string, unknown>;
    if (reply.ok === true) return { ok: true, value: reply.value };
    const problem = reply.problem as Record<string, unknown> | undefined;
    if (typeof problem?.kind === 'string' && typeof problem.detail === 'string') {
      return { ok: false, problem: { kind: problem.kind, detail: problem.detail } };
    }
  }
  return { ok: false, problem: { kind: 'no-answer', detail: 'The other part of the extension did not answer.' } };
}
