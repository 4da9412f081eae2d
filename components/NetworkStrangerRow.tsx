import { ErrorLine } from './ErrorLine';
import type { StrangerHere, StrangerRequest } from './network-list';
import { useAction } from './use-action';

/** Words for where a request stands, when there is no button to press. */
const REQUEST_WORDS: Partial<Record<StrangerRequest, string>> = {
  sent: 'Request sent',
  'asked-you': 'Wants to connect',
  declined: 'Declined',
};

/** Someone on this network we have no key for: their chosen name is only their claim. */
export function NetworkStrangerRow({
  stranger,
  onRequest,
  onOpen,
}: {
  stranger: StrangerHere;
  onRequest: (discoveryId: string) => Promise<void>;
  onOpen: (address: string) => void;
}) {
  const { busy, error, run } = useAction();
  const request: StrangerRequest = busy ? 'requesting' : stranger.request;
  const words = REQUEST_WORDS[request];
  return (
    <li class="peer" data-testid="network-peer" data-kind="stranger" data-request={request}>
      <div class="row">
        <span class="dot" title="Not in your contacts" />
        <div class="who">
          <strong data-testid="network-peer-name">{stranger.label}</strong>
          <span class="muted small">Not in your contacts</span>
        </div>
        {words !== undefined ? (
          <span class="muted small" data-testid="network-request-state">
            {words}
          </span>
        ) : request === 'connected' ? (
          <button type="button" onClick={() => onOpen(stranger.discoveryId)} data-testid="network-open">
            Open chat
          </button>
        ) : (
          <button
            type="button"
            class="secondary"
            disabled={request === 'requesting'}
            onClick={() => run(() => onRequest(stranger.discoveryId))}
            data-testid="network-connect"
          >
            {request === 'requesting' ? 'Requesting…' : 'Connect'}
          </button>
        )}
      </div>
      <ErrorLine error={error} testId="network-error" />
    </li>
  );
}
