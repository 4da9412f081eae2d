import type { ContactView } from '@/lib/agent/agent-views';
import { QrCode } from './QrCode';

/** Long digit runs read better in groups of five, the way both people will read them aloud. */
function grouped(digits: string): string {
  return /^\d+$/.test(digits) ? (digits.match(/\d{1,5}/g) ?? []).join(' ') : digits;
}

/** Both sides see the same number; comparing it is how a user checks nobody sits in between. */
export function SafetyNumberPanel({
  contact,
  onSetVerified,
}: {
  contact: ContactView;
  onSetVerified: (verified: boolean) => void;
}) {
  const name = contact.petname || 'this contact';
  return (
    <div class="safety" data-testid="safety-panel">
      <p class="muted small">
        Compare this number with the one {name} sees for you, in person or over a call you trust. If they match, no one
        is in between.
      </p>
      <code class="safety-number" data-testid="safety-number">
        {grouped(contact.safetyNumber)}
      </code>
      {contact.safetyNumber && <QrCode text={contact.safetyNumber} label="Safety number QR code" testId="safety-qr" />}
      <button
        type="button"
        class={contact.verified ? 'secondary' : ''}
        onClick={() => onSetVerified(!contact.verified)}
        data-testid="toggle-verified"
      >
        {contact.verified ? 'Mark as unverified' : 'Mark as verified'}
      </button>
    </div>
  );
}
