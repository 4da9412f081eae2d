/**
 * The parent's handle on one agent in a fleet host: what it shows, what it can be asked, and
 * how it ends (cleanly, by a crash, or by a kill).
 */
import type { Agent, AgentEvent, AgentSnapshot } from '../../../lib/agent/agent';
import type { Listeners } from '../../../lib/listeners';
import type { AgentIdentity } from '../../../lib/store/contacts';
import type { BlackholeProxy } from './blackhole-proxy';
import type { CallMethod } from './fleet-protocol';
import type { HostProcess, HostState } from './host-process';

export const DEFAULT_WAIT_MS = 15_000;

export interface AgentHandle {
  readonly id: string;
  readonly hostIndex: number;
  /** Whether its process runs, is frozen (crashed) or is gone. */
  readonly hostState: HostState;
  /** The address (PeerJS id) it was online at once started; undefined if the start did not wait. */
  readonly address: string | undefined;
  readonly identity: AgentIdentity;
  /** This agent's own way to the signaling server. */
  readonly signaling: BlackholeProxy;
  snapshot(): Promise<AgentSnapshot>;
  /**
   * Resolves with the first truthy value of `probe` on a fresh snapshot, taken now and again
   * after each event this agent emits (`changed` comes throttled, so this never polls tightly).
   */
  waitFor<T>(probe: (snapshot: AgentSnapshot) => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** An `Agent` method run in the host; its failure rejects with a `FleetError` carrying the problem. */
  call<M extends CallMethod>(method: M, ...args: Parameters<Agent[M]>): Promise<void>;
  onEvent(listener: (event: AgentEvent) => void): () => void;
  /** `agent.stop()`: leaves the server and closes every link, as a user would. */
  stop(): Promise<void>;
  /**
   * A machine that lost power: its signaling connection goes silent but stays open (the server
   * keeps its id until `alive_timeout`) and its process is SIGSTOPped (its data channels go
   * silent). Only for an agent alone in its process (`fleet.startAlone`).
   */
  crash(): Promise<void>;
  /** SIGKILL of its process: the OS closes its sockets, so the server frees its id at once. */
  kill(): Promise<void>;
}

export type HandleParts = {
  id: string;
  host: HostProcess;
  address: string | undefined;
  identity: AgentIdentity;
  signaling: BlackholeProxy;
  events: Listeners<[AgentEvent]>;
  /** Agents the parent has placed in the same host now, this one included. */
  agentsInHost: () => number;
  forget: () => void;
};

export function agentHandle(parts: HandleParts): AgentHandle {
  const { id, host, signaling, events } = parts;
  const onlyOneInHost = (what: string) => {
    const count = parts.agentsInHost();
    if (count !== 1) {
      throw new Error(`${what} ${id}: its process hosts ${count} agents; start it with fleet.startAlone()`);
    }
  };

  const handle: AgentHandle = {
    id,
    hostIndex: host.index,
    get hostState() {
      return host.state;
    },
    address: parts.address,
    identity: parts.identity,
    signaling,
    snapshot: () => host.request({ type: 'snapshot', agentId: id }),
    waitFor: (probe, timeoutMs = DEFAULT_WAIT_MS) => waitForSnapshot(handle, host, probe, timeoutMs),
    async call(method, ...args) {
      await host.request({ type: 'call', agentId: id, method, args });
    },
    onEvent: (listener) => events.add(listener),
    async stop() {
      await host.request({ type: 'stop', agentId: id });
      parts.forget();
    },
    async crash() {
      onlyOneInHost('crash');
      signaling.blackhole();
      host.freeze();
    },
    async kill() {
      onlyOneInHost('kill');
      await host.kill();
      parts.forget();
    },
  };
  return handle;
}

function waitForSnapshot<T>(
  handle: AgentHandle,
  host: HostProcess,
  probe: (snapshot: AgentSnapshot) => T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let last: AgentSnapshot | undefined;
    let checking = false;
    let again = false;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      stopEvents();
      stopExit();
      clearTimeout(timer);
      outcome();
    };
    // One snapshot request at a time; events that arrive meanwhile ask for one more after it.
    const check = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          last = await handle.snapshot();
          if (settled) return;
          const value = probe(last);
          if (value !== undefined && value !== false) return settle(() => resolve(value));
        } while (again);
      } catch (error) {
        settle(() => reject(error));
      } finally {
        checking = false;
      }
    };
    const stopEvents = handle.onEvent(() => void check());
    const stopExit = host.onExit(() =>
      settle(() => reject(new Error(`${handle.id}: its host process exited while waiting`))),
    );
    const timer = setTimeout(() => {
      const seen = JSON.stringify(last)?.slice(0, 600) ?? 'none';
      settle(() => reject(new Error(`${handle.id}: timed out after ${timeoutMs} ms; last snapshot: ${seen}`)));
    }, timeoutMs);
    void check();
  });
}
