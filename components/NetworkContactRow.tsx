import { ErrorLine } from './ErrorLine';
import type { ContactHere } from './network-list';
import { useAction } from './use-action';

/** A saved contact on this network: known by its tag, named by the user's petname. */
export function NetworkContactRow({
  here,
  onOpenChat,
}: {
  here: ContactHere;
  onOpenChat: (here: ContactHere) => Promise<void>;
}) {
  const { busy, error, run } = useAction();
  const { contact } = here;
  return (
    <li class="peer" data-testid="network-peer" data-kind="contact">
      <div class="row">
        <span class="dot online" title="On this network" />
        <div class="who">
          <strong data-testid="network-peer-name">{contact.petname || 'Unnamed'}</strong>
          <span class="muted small">
            <span class="mark" data-testid="network-contact-mark">
              Contact
            </span>{' '}
            ·{' '}
            <span class={contact.verified ? 'verified' : ''} data-testid="network-verified">
              {contact.verified ? '✓ Verified' : 'Not verified'}
            </span>
          </span>
        </div>
        <button type="button" disabled={busy} onClick={() => run(() => onOpenChat(here))} data-testid="network-open">
          {busy ? 'Connecting…' : 'Open chat'}
        </button>
      </div>
      <ErrorLine error={error} testId="network-error" />
    </li>
  );
}
