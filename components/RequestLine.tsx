import type { PeerView } from '@/lib/sessions/conversations';

/** "Connection request from “name” (key …)": the name is the peer's claim, quoted and shown as text. */
export function RequestLine({ peer }: { peer: PeerView | undefined }) {
  return (
    <span>
      Connection request from <strong data-testid="request-name">{peer?.name ? `“${peer.name}”` : 'someone'}</strong>{' '}
      <span class="muted">
        (key <code data-testid="request-fingerprint">{peer?.fingerprint ?? '?'}</code>)
      </span>
    </span>
  );
}
