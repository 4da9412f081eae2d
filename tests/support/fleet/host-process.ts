/**
 * The parent's side of one fleet host: forks `fleet-host.ts` under tsx's loader, sends typed
 * commands and decodes replies and events, and can freeze (SIGSTOP) or kill (SIGKILL) it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentEvent } from '../../../lib/agent/agent';
import { Listeners } from '../../../lib/listeners';
import {
  type FleetProblem,
  type HostCommand,
  type HostCommandType,
  HostMessageSchema,
  type ReplyOf,
  ReplySchemas,
} from './fleet-protocol';

const HOST_SCRIPT = fileURLToPath(new URL('./fleet-host.ts', import.meta.url));
/** tsx's ESM loader, by absolute URL: the tsx CLI would put a process of its own between us. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const READY_TIMEOUT_MS = 30_000;
const STDERR_KEPT = 4_000;

/** A command the host refused or failed at, with the agent's (or the host's) problem. */
export class FleetError extends Error {
  constructor(readonly problem: FleetProblem) {
    super(`${problem.kind}: ${problem.detail}`);
    this.name = 'FleetError';
  }
}

export type HostState = 'running' | 'frozen' | 'exited';

export interface HostProcess {
  readonly index: number;
  readonly pid: number;
  readonly state: HostState;
  request<T extends HostCommandType>(command: Extract<HostCommand, { type: T }>): Promise<ReplyOf<T>>;
  onEvent(listener: (agentId: string, event: AgentEvent) => void): () => void;
  /** Fires once, when the process is gone for any reason. */
  onExit(listener: () => void): () => void;
  /** SIGSTOP: its sockets stay open and nothing in it answers, as a machine that lost power. */
  freeze(): void;
  /** SIGKILL; resolves once the process is gone (the OS has closed its sockets). */
  kill(): Promise<void>;
  /** Stops its agents cleanly and lets it exit; kills it if that takes longer than `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
}

type Pending = { type: HostCommandType; resolve: (value: unknown) => void; reject: (error: Error) => void };

export async function startHostProcess(index: number): Promise<HostProcess> {
  const child = fork(HOST_SCRIPT, [], {
    execArgv: ['--import', TSX_LOADER],
    // Structured clone: bytes (Uint8Array) in snapshots and events survive, as JSON would not.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  const pending = new Map<number, Pending>();
  const events = new Listeners<[string, AgentEvent]>();
  const exits = new Listeners<[]>();
  let state: HostState = 'running';
  let nextSeq = 0;
  let ready: (() => void) | undefined;

  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      state = 'exited';
      const why = new Error(`fleet host ${index} exited (${signal ?? `code ${code}`})${stderrTail(stderr)}`);
      // Killed on purpose, or ended cleanly: nothing to say. Anything else is a crash worth seeing.
      if (signal === null && code !== 0) console.error(why.message);
      for (const { reject } of pending.values()) reject(why);
      pending.clear();
      exits.emit();
      resolve();
    });
  });

  child.on('message', (raw: unknown) => {
    const parsed = HostMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'ready') return ready?.();
    if (message.type === 'event') return events.emit(message.agentId, message.event);
    const waiting = pending.get(message.seq);
    if (!waiting) return;
    pending.delete(message.seq);
    if (message.type === 'failure') return waiting.reject(new FleetError(message.problem));
    const value = ReplySchemas[waiting.type].safeParse(message.value);
    if (value.success) waiting.resolve(value.data);
    else waiting.reject(new Error(`fleet host ${index}: bad ${waiting.type} reply: ${value.error.message}`));
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fleet host ${index} not ready${stderrTail(stderr)}`)),
      READY_TIMEOUT_MS,
    );
    ready = () => {
      clearTimeout(timer);
      resolve();
    };
    gone.then(() => {
      clearTimeout(timer);
      reject(new Error(`fleet host ${index} exited before it was ready${stderrTail(stderr)}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  const signal = (name: NodeJS.Signals) => {
    if (state !== 'exited') child.kill(name);
  };

  const host: HostProcess = {
    index,
    pid: child.pid ?? -1,
    get state() {
      return state;
    },
    request<T extends HostCommandType>(command: Extract<HostCommand, { type: T }>) {
      return new Promise<ReplyOf<T>>((resolve, reject) => {
        if (state !== 'running') return reject(new Error(`fleet host ${index} is ${state}`));
        const seq = nextSeq++;
        // The reply was decoded with `ReplySchemas[command.type]`, so it is a `ReplyOf<T>`.
        pending.set(seq, { type: command.type, resolve: resolve as (value: unknown) => void, reject });
        child.send({ seq, command }, (error) => {
          if (!error) return;
          pending.delete(seq);
          reject(error);
        });
      });
    },
    onEvent: (listener) => events.add(listener),
    onExit: (listener) => exits.add(listener),
    freeze() {
      signal('SIGSTOP');
      if (state === 'running') state = 'frozen';
    },
    async kill() {
      signal('SIGKILL');
      await gone;
    },
    async shutdown(timeoutMs = 5_000) {
      if (state === 'running') {
        const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
        await host.request({ type: 'shutdown' }).catch(() => {});
        await gone;
        clearTimeout(timer);
      }
      await host.kill();
    },
  };
  liveHosts.add(child);
  child.once('exit', () => liveHosts.delete(child));
  return host;
}

function stderrTail(stderr: string): string {
  return stderr.trim() ? `; its stderr ended with:\n${stderr.trim()}` : '';
}

/**
 * Hosts still alive when the parent exits (a test runner that crashed, a missed teardown) are
 * killed with it: a SIGSTOPped one would otherwise stay forever, holding its ports.
 */
const liveHosts = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveHosts) child.kill('SIGKILL');
});
