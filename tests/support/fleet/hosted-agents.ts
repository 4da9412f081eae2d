/**
 * The agents one fleet host process runs, and how it carries out the parent's commands. No
 * process or IPC in here: `fleet-host.ts` feeds it decoded messages and posts what it emits.
 */

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { z } from 'zod';
import type { Agent, AgentEvent } from '../../../lib/agent/agent';
import type { AgentDiscoveryDeps } from '../../../lib/agent/agent-api';
import { browserHostServices, createPeerJsAgent } from '../../../lib/agent/peerjs-agent';
import { DEFAULT_DISCOVERY_TIMING } from '../../../lib/discovery/discovery-timing';
import type { PublicAddressResult } from '../../../lib/discovery/public-address';
import type { AgentIdentity } from '../../../lib/store/contacts';
import type { PeerConstructor } from '../../../lib/transport/peerjs-transport';
import {
  type AgentStartSchema,
  CallArgsSchemas,
  type CallMethod,
  CommandEnvelopeSchema,
  type FleetProblem,
  type HostMessage,
} from './fleet-protocol';

/** `changed` notices per agent are sent at most this often (the first at once, the last never lost). */
export const CHANGED_INTERVAL_MS = 50;

type AgentStart = z.output<typeof AgentStartSchema>;
type HostCommand = z.output<typeof CommandEnvelopeSchema>['command'];

/**
 * The one place where the fakes a `start` command names become agent deps: the pretend
 * network's public address (as a STUN server would report it), a cellular link, and discovery
 * timing. Unnamed ones stay the host's own (`browserDiscovery`: wrtc, no STUN servers).
 */
export function discoveryDepsFor(
  start: Pick<AgentStart, 'publicAddress' | 'cellular' | 'discoveryTiming'>,
): Partial<AgentDiscoveryDeps> {
  const { publicAddress, cellular, discoveryTiming } = start;
  const found: PublicAddressResult | undefined = publicAddress
    ? { kind: 'found', address: publicAddress, via: 'stun' }
    : undefined;
  return {
    ...(found ? { findPublicAddress: async () => found } : {}),
    ...(cellular === undefined ? {} : { isCellular: () => cellular }),
    ...(discoveryTiming ? { timing: { ...DEFAULT_DISCOVERY_TIMING, ...discoveryTiming } } : {}),
  };
}

type HostedAgent = { agent: Agent; identity: AgentIdentity; release: () => void };

export type HostedAgentsOptions = {
  Peer: PeerConstructor;
  newIdentity: () => AgentIdentity;
  post: (message: HostMessage) => void;
  memory: () => { pid: number; rssBytes: number; heapUsedBytes: number };
  /** Runs after the reply to `shutdown` was posted. */
  exit: () => void;
};

class CommandFailure extends Error {
  constructor(readonly problem: FleetProblem) {
    super(problem.detail);
  }
}

/** An `AgentError`'s or `DialError`'s problem as it is; anything else as the host's own failure. */
function problemOf(error: unknown): FleetProblem {
  if (error instanceof CommandFailure) return error.problem;
  if (typeof error === 'object' && error !== null && 'problem' in error) {
    const { problem } = error;
    if (typeof problem === 'object' && problem !== null && 'kind' in problem && 'detail' in problem) {
      return { ...problem, kind: String(problem.kind), detail: String(problem.detail) };
    }
  }
  return { kind: 'host-error', detail: error instanceof Error ? error.message : String(error) };
}

/** Leading and trailing: one notice at once, then at most one per interval while changes go on. */
function throttled(run: () => void, intervalMs: number): { poke: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  const open = () => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!pending) return;
      pending = false;
      run();
      open();
    }, intervalMs);
  };
  return {
    poke() {
      if (timer) {
        pending = true;
        return;
      }
      run();
      open();
    },
    cancel: () => clearTimeout(timer),
  };
}

export function createHostedAgents(options: HostedAgentsOptions) {
  const agents = new Map<string, HostedAgent>();

  const hosted = (agentId: string): HostedAgent => {
    const found = agents.get(agentId);
    if (!found) throw new CommandFailure({ kind: 'no-such-agent', detail: `no agent "${agentId}" in this host` });
    return found;
  };

  const forward = (agentId: string, agent: Agent) => {
    const post = (event: AgentEvent) => options.post({ type: 'event', agentId, event });
    const changed = throttled(() => post({ type: 'changed' }), CHANGED_INTERVAL_MS);
    const unsubscribe = agent.subscribe((event) => (event.type === 'changed' ? changed.poke() : post(event)));
    return () => {
      unsubscribe();
      changed.cancel();
    };
  };

  const whenOnline = (agent: Agent, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const { status } = agent.snapshot();
        if (status.state !== 'online') return;
        done();
        resolve(status.address);
      };
      const unsubscribe = agent.subscribe(check);
      const timer = setTimeout(() => {
        done();
        const detail = `not online within ${timeoutMs} ms: ${JSON.stringify(agent.snapshot().status)}`;
        reject(new CommandFailure({ kind: 'not-online', detail }));
      }, timeoutMs);
      const done = () => {
        unsubscribe();
        clearTimeout(timer);
      };
      check();
    });

  const start = async (command: AgentStart) => {
    if (agents.has(command.agentId)) {
      throw new CommandFailure({ kind: 'duplicate-agent', detail: `agent "${command.agentId}" already runs here` });
    }
    const identity = command.identity ?? options.newIdentity();
    const agent = createPeerJsAgent(options.Peer, browserHostServices(), {
      // A profile of its own per agent, kept for the life of the host process.
      indexedDB: { indexedDB: new IDBFactory(), IDBKeyRange },
      handshakeTimeoutMs: command.handshakeTimeoutMs,
      discovery: discoveryDepsFor(command),
    });
    const release = forward(command.agentId, agent);
    agents.set(command.agentId, { agent, identity, release });
    agent.configure({ settings: command.settings, identity, contacts: command.contacts ?? [] });
    if (!command.waitOnline) return { identity };
    try {
      return { identity, address: await whenOnline(agent, command.onlineTimeoutMs) };
    } catch (error) {
      stop(command.agentId);
      throw error;
    }
  };

  const stop = (agentId: string) => {
    const { agent, release } = hosted(agentId);
    release();
    agent.stop();
    agents.delete(agentId);
  };

  const call = async (agentId: string, method: CallMethod, args: unknown[]) => {
    const { agent } = hosted(agentId);
    switch (method) {
      case 'connect':
        return agent.connect(...argsFor(method, CallArgsSchemas.connect, args));
      case 'answerRequest':
        return agent.answerRequest(...argsFor(method, CallArgsSchemas.answerRequest, args));
      case 'send':
        return agent.send(...argsFor(method, CallArgsSchemas.send, args));
      case 'markRead':
        return agent.markRead(...argsFor(method, CallArgsSchemas.markRead, args));
      case 'trustNewKey':
        return agent.trustNewKey(...argsFor(method, CallArgsSchemas.trustNewKey, args));
    }
  };

  const run = async (command: HostCommand): Promise<unknown> => {
    switch (command.type) {
      case 'start':
        return start(command);
      case 'snapshot':
        return hosted(command.agentId).agent.snapshot();
      case 'stop':
        return stop(command.agentId);
      case 'call':
        return call(command.agentId, command.method, command.args);
      case 'usage':
        return { ...options.memory(), agents: agents.size };
      case 'shutdown':
        for (const agentId of [...agents.keys()]) stop(agentId);
        return undefined;
    }
  };

  return {
    /** Carries out one message from the parent and posts its reply; what is not a command is refused. */
    async receive(raw: unknown): Promise<void> {
      const envelope = CommandEnvelopeSchema.safeParse(raw);
      if (!envelope.success) {
        const seq = SeqOnlySchema.safeParse(raw);
        const problem = { kind: 'bad-command', detail: envelope.error.message };
        if (seq.success) options.post({ type: 'failure', seq: seq.data.seq, problem });
        return;
      }
      const { seq, command } = envelope.data;
      try {
        options.post({ type: 'reply', seq, value: await run(command) });
      } catch (error) {
        options.post({ type: 'failure', seq, problem: problemOf(error) });
        return;
      }
      if (command.type === 'shutdown') options.exit();
    },
  };
}

const SeqOnlySchema = z.looseObject({ seq: z.number().int().min(0) });

function argsFor<T>(method: CallMethod, schema: z.ZodType<T>, args: unknown[]): T {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new CommandFailure({ kind: 'bad-command', detail: `${method}: ${parsed.error.message}` });
  return parsed.data;
}
