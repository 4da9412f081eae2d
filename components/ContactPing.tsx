import { useState } from 'preact/hooks';
import type { PingResult } from '@/lib/agent/agent-api';
import { describeError, describePing } from './describe';

/** Ping: tries the contact's last known address at once, and says what it found there. */
export function ContactPing({ onPing }: { onPing: () => Promise<PingResult> }) {
  const [said, setSaid] = useState('');
  const [busy, setBusy] = useState(false);
  const ping = async () => {
    setBusy(true);
    setSaid('Pinging…');
    try {
      setSaid(describePing(await onPing()));
    } catch (problem) {
      setSaid(describeError(problem));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="ping row tight">
      <button
        type="button"
        class="secondary small"
        disabled={busy}
        onClick={() => void ping()}
        data-testid="contact-ping"
      >
        Ping
      </button>
      {said && (
        <span class="muted small" role="status" data-testid="ping-result">
          {said}
        </span>
      )}
    </span>
  );
}
