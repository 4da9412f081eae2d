import { useState } from 'preact/hooks';
import { describeError } from './describe';

/**
 * A saved contact's address answered with another key. Loud on purpose: it is either the
 * contact on a new install, or someone else, and only the user can find out which.
 */
export function KeyWarning({
  contactName,
  presentedFingerprint,
  onTrust,
}: {
  contactName: string;
  presentedFingerprint: string;
  onTrust: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const trust = async () => {
    setBusy(true);
    setError('');
    try {
      await onTrust();
    } catch (problem) {
      setError(describeError(problem));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="key-warning" role="alert" data-testid="key-warning">
      <p>
        <strong>Warning:</strong> the browser at this address is not {contactName}: its key changed (now{' '}
        <code>{presentedFingerprint}</code>). It could be someone else. Messages are not sent.
      </p>
      <p class="small">
        Trust the new key only if {contactName} told you they reinstalled or changed browsers, then compare safety
        numbers again.
      </p>
      <button type="button" class="danger" disabled={busy} onClick={() => void trust()} data-testid="trust-new-key">
        Trust the new key
      </button>
      {error && <p class="error">{error}</p>}
    </div>
  );
}
