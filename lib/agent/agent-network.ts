/**
 * The agent's side of same-network discovery: the discovery it runs (when its host gives it
 * one), which addresses are people on this network, how they are dialled, how often a stranger
 * there may ask, and what the snapshot shows of the network.
 */
import { fromHex } from '../bytes';
import { createNetworkDiscovery, type NetworkDiscovery } from '../discovery/network-discovery';
import { parseDiscoveryId } from '../discovery/network-namespace';
import type { PeerView } from '../sessions/conversations';
import type { AgentIdentity, Contact } from '../store/contacts';
import type { Settings } from '../store/settings';
import type { Link } from '../transport/transport';
import { ADDRESS_ROOT, type AgentDeps } from './agent-api';
import { AgentError } from './agent-error';
import type { ContactView } from './agent-views';
import { type NetworkView, networkViewer } from './network-view';
import { type RequestHistory, rememberDecline, rememberRequest, requestRateProblem } from './trust';

/** A discovery id: someone as they are on some network, for one visit. */
export const isDiscoveryId = (address: string): boolean => parseDiscoveryId(address) !== undefined;

export function agentNetwork(deps: AgentDeps, currentSettings: () => Settings | undefined) {
  const viewNetwork = networkViewer();
  let requestHistory: RequestHistory = new Map();
  const discovery: NetworkDiscovery | undefined =
    deps.discovery &&
    createNetworkDiscovery({
      root: ADDRESS_ROOT,
      clock: deps,
      timing: deps.discovery.timing,
      randomBytes: deps.randomBytes,
      openTransport: (nextAddress) => {
        const settings = currentSettings();
        if (!settings) throw new AgentError({ kind: 'not-configured', detail: 'No settings yet.' });
        return deps.openTransport(settings, nextAddress);
      },
      findPublicAddress: () => {
        const settings = currentSettings();
        return settings && deps.discovery
          ? deps.discovery.findPublicAddress(settings)
          : Promise.resolve({ kind: 'none', reason: 'no-stun-servers' });
      },
      isCellular: () => deps.discovery?.isCellular() ?? false,
    });

  /** Someone on this network, by the discovery id they are there under. */
  const isHere = (address: string) => {
    const ns = discovery?.ns();
    return ns !== undefined && parseDiscoveryId(address)?.ns === ns;
  };

  return {
    configure(settings: Settings, identity: AgentIdentity) {
      const { discovery: wanted, signaling, iceServers, displayName } = settings;
      discovery?.configure({
        enabled: wanted.enabled,
        onCellular: wanted.onCellular,
        networkKey: JSON.stringify([signaling, iceServers, wanted.addressLookupUrl]),
        profile: { name: displayName, presenceKey: fromHex(identity.presenceKey) },
      });
    },

    isOwn: (address: string) => discovery !== undefined && address === discovery.discoveryId(),

    /**
     * A discovery id is only ever dialled from ours: from the transport id, a stranger on a
     * network we have since left would learn our address. So one from elsewhere is refused.
     */
    checkDialable(target: string) {
      if (isDiscoveryId(target) && !isHere(target)) {
        throw new AgentError({ kind: 'not-on-this-network', detail: 'They are no longer on this network.' });
      }
    },

    /** Dials someone on this network from our discovery id; undefined for any other address. */
    dialHere(target: string): Promise<Link> | undefined {
      return discovery && isHere(target) ? discovery.dial(target) : undefined;
    },

    /** Anyone on the network can ask; an address from an invite is given, not found. */
    requestProblem(remote: string, presented: PeerView, contacts: readonly Contact[]) {
      if (!isDiscoveryId(remote)) return undefined;
      return requestRateProblem(requestHistory, remote, presented, contacts, deps.now());
    },
    requestArrived(remote: string) {
      if (isDiscoveryId(remote)) requestHistory = rememberRequest(requestHistory, remote, deps.now());
    },
    requestDeclined(remote: string) {
      if (isDiscoveryId(remote)) requestHistory = rememberDecline(requestHistory, remote, deps.now());
    },

    /** The contacts' views with who is on this network, and the network's own view. */
    withNetwork<View extends ContactView>(
      views: View[],
      contacts: readonly Contact[],
    ): { contacts: View[]; network: NetworkView } {
      const network = viewNetwork(
        discovery?.status() ?? { state: 'off', reason: 'disabled' },
        discovery?.ns(),
        discovery?.others() ?? [],
        contacts,
        deps.now(),
      );
      const here = new Map(
        network.peers.flatMap((p) => (p.contactKey ? [[p.contactKey, p.discoveryId] as const] : [])),
      );
      const contactsHere = views.map((view) => {
        const onNetwork = here.get(view.identityKey);
        return onNetwork ? { ...view, onNetwork } : view;
      });
      return { contacts: contactsHere, network };
    },

    onChange: (listener: () => void) => discovery?.onChange(listener),
    onIncoming: (listener: (link: Link) => void) => discovery?.onIncoming(listener),
    stop: () => discovery?.stop(),
  };
}
