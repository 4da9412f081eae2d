import { NetworkContactRow } from './NetworkContactRow';
import { NetworkStrangerRow } from './NetworkStrangerRow';
import type { ContactHere, NetworkList } from './network-list';
import type { NetworkStatusLine } from './network-status';

export interface NetworkActions {
  /** Asks a stranger to connect (from our discovery id: they never learn our address). */
  request(discoveryId: string): Promise<void>;
  /** The chat with a contact here, connecting first when none is open. */
  openChat(here: ContactHere): Promise<void>;
  openConversation(address: string): void;
}

/** "On this network": why discovery is or is not running, then contacts here, then strangers. */
export function NetworkSection({
  status,
  list: { contactsHere, strangers },
  active,
  actions,
}: {
  status: NetworkStatusLine;
  list: NetworkList;
  /** In a namespace now: an empty list means nobody else is (otherwise the status line says why). */
  active: boolean;
  actions: NetworkActions;
}) {
  const empty = contactsHere.length + strangers.length === 0;
  return (
    <section class="card network" aria-labelledby="network-title" data-testid="network">
      <h2 class="label" id="network-title">
        On this network
      </h2>
      <p class={`network-status ${status.tone}`} role="status" data-testid="network-status" data-tone={status.tone}>
        {status.text}
      </p>
      {empty ? (
        active && (
          <p class="muted small" data-testid="network-empty">
            Nobody else here yet.
          </p>
        )
      ) : (
        <ul class="peers">
          {contactsHere.map((here) => (
            <NetworkContactRow key={here.discoveryId} here={here} onOpenChat={actions.openChat} />
          ))}
          {strangers.map((stranger) => (
            <NetworkStrangerRow
              key={stranger.discoveryId}
              stranger={stranger}
              onRequest={actions.request}
              onOpen={actions.openConversation}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
