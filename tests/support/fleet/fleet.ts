/**
 * Many real agents over several Node processes, for tests and benchmarks that need a crowd:
 * each agent reaches the signaling server through its own cuttable proxy, and an agent started
 * alone in its process can be crashed (SIGSTOP + blackhole) or killed (SIGKILL).
 *
 *   const fleet = await startFleet({ server, hosts: 3 });
 *   const [a, b] = await Promise.all([fleet.start({ name: 'a' }), fleet.start({ name: 'b' })]);
 *   await a.call('connect', b.address ?? '');
 *   await b.waitFor((s) => s.conversations.find((c) => c.stage === 'request'));
 *   await fleet.teardown();
 */
import type { AgentEvent } from '../../../lib/agent/agent';
import type { DiscoveryTiming } from '../../../lib/discovery/discovery-timing';
import { Listeners } from '../../../lib/listeners';
import type { AgentIdentity, Contact } from '../../../lib/store/contacts';
import { FACTORY_SETTINGS, parseSignalingUrl, type Settings } from '../../../lib/store/settings';
import type { RunningSignalingServer } from '../../../server/signaling-server';
import { type AgentHandle, agentHandle } from './agent-handle';
import { type BlackholeProxy, startBlackholeProxy } from './blackhole-proxy';
import type { ReplyOf } from './fleet-protocol';
import { type HostProcess, startHostProcess } from './host-process';

export type { AgentHandle } from './agent-handle';
export { FleetError } from './host-process';

export type FleetOptions = {
  server: RunningSignalingServer;
  /** Host processes shared by agents from `start`. */
  hosts: number;
  /** At most this many agents per shared host; unlimited when absent. */
  perHost?: number;
};

export type AgentSpec = {
  /** Unique in the fleet; `agent-<n>` when absent. */
  id?: string;
  /** The display name it announces. */
  name?: string;
  /** A fresh identity when absent. */
  identity?: AgentIdentity;
  contacts?: Contact[];
  /** On top of local settings (no ICE servers); `signaling` is always this agent's own proxy. */
  settings?: Partial<Omit<Settings, 'signaling'>>;
  /** The public address of this agent's pretend network, as STUN would report it: '203.0.113.7'. */
  publicAddress?: string;
  /** Whether its link is cellular (the Network Information API's say). */
  cellular?: boolean;
  discoveryTiming?: Partial<DiscoveryTiming>;
  handshakeTimeoutMs?: number;
  /** Resolve once the agent is online (default) or as soon as it was created. */
  waitOnline?: boolean;
  onlineTimeoutMs?: number;
};

export type HostUsage = ReplyOf<'usage'> & { hostIndex: number };

export interface Fleet {
  /** Every host process by `index`: shared ones first, then one per `startAlone`. */
  readonly hosts: readonly HostProcess[];
  /** In the shared host with the fewest agents. */
  start(spec?: AgentSpec): Promise<AgentHandle>;
  /** In a new host process of its own, so that `crash()` and `kill()` touch this agent only. */
  startAlone(spec?: AgentSpec): Promise<AgentHandle>;
  usage(): Promise<HostUsage[]>;
  /** Stops every agent, ends every host (SIGKILL for frozen or slow ones), closes every proxy. */
  teardown(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { server } = options;
  const hosts: HostProcess[] = [];
  const placed = new Map<HostProcess, Set<string>>();
  const eventsByAgent = new Map<string, Listeners<[AgentEvent]>>();
  const proxies: BlackholeProxy[] = [];
  let nextAgent = 0;
  let nextHostIndex = 0;

  const addHost = async () => {
    const host = await startHostProcess(nextHostIndex++);
    hosts.push(host);
    hosts.sort((a, b) => a.index - b.index);
    placed.set(host, new Set());
    host.onEvent((agentId, event) => eventsByAgent.get(agentId)?.emit(event));
    return host;
  };

  const shared = await Promise.allSettled(Array.from({ length: options.hosts }, () => addHost()));
  const failed = shared.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(hosts.map((host) => host.kill()));
    throw failed.reason;
  }
  const sharedHosts = [...hosts];

  /** Chosen before anything is awaited, so agents started together spread evenly. */
  const leastBusy = (): HostProcess => {
    const open = sharedHosts.filter((host) => host.state === 'running');
    const best = open.reduce<HostProcess | undefined>(
      (chosen, host) => (!chosen || count(host) < count(chosen) ? host : chosen),
      undefined,
    );
    if (!best) throw new Error('no shared fleet host is running');
    if (options.perHost !== undefined && count(best) >= options.perHost) {
      throw new Error(`every shared fleet host already has ${options.perHost} agents`);
    }
    return best;
  };
  const count = (host: HostProcess) => placed.get(host)?.size ?? 0;

  const startIn = async (host: HostProcess, spec: AgentSpec): Promise<AgentHandle> => {
    const id = spec.id ?? `agent-${nextAgent++}`;
    if (eventsByAgent.has(id)) throw new Error(`an agent "${id}" is already in this fleet`);
    const events = new Listeners<[AgentEvent]>();
    eventsByAgent.set(id, events);
    const inHost = placed.get(host) ?? new Set();
    inHost.add(id);
    const forget = () => {
      inHost.delete(id);
      eventsByAgent.delete(id);
    };
    try {
      const signaling = await startBlackholeProxy({ host: server.host, port: server.port });
      proxies.push(signaling);
      const started = await host.request({
        type: 'start',
        agentId: id,
        settings: settingsFor(server, signaling, spec),
        identity: spec.identity,
        contacts: spec.contacts,
        handshakeTimeoutMs: spec.handshakeTimeoutMs,
        waitOnline: spec.waitOnline,
        onlineTimeoutMs: spec.onlineTimeoutMs,
        publicAddress: spec.publicAddress,
        cellular: spec.cellular,
        discoveryTiming: spec.discoveryTiming,
      });
      const agentsInHost = () => inHost.size;
      const { address, identity } = started;
      return agentHandle({ id, host, address, identity, signaling, events, agentsInHost, forget });
    } catch (error) {
      forget();
      throw error;
    }
  };

  return {
    hosts,
    start: (spec = {}) => startIn(leastBusy(), spec),
    startAlone: async (spec = {}) => startIn(await addHost(), spec),
    usage: () =>
      Promise.all(
        hosts
          .filter((host) => host.state === 'running')
          .map(async (host) => ({ ...(await host.request({ type: 'usage' })), hostIndex: host.index })),
      ),
    async teardown() {
      await Promise.all(hosts.map((host) => host.shutdown()));
      await Promise.all(proxies.map((proxy) => proxy.close()));
      eventsByAgent.clear();
    },
  };
}

function settingsFor(server: RunningSignalingServer, proxy: BlackholeProxy, spec: AgentSpec): Settings {
  const signaling = parseSignalingUrl(`ws://127.0.0.1:${proxy.port}${server.path}`);
  return {
    ...FACTORY_SETTINGS,
    iceServers: [],
    displayName: spec.name ?? '',
    ...spec.settings,
    signaling,
  };
}
