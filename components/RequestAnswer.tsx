import { useState } from 'preact/hooks';
import { describeError } from './describe';
import { ErrorLine } from './ErrorLine';

/** Accept / Decline for a connection request; the agent's answer shows up in the next snapshot. */
export function RequestAnswer({ onAnswer }: { onAnswer: (accept: boolean) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const answer = async (accept: boolean) => {
    setBusy(true);
    setError('');
    try {
      await onAnswer(accept);
    } catch (problem) {
      setError(describeError(problem));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void answer(true)} data-testid="request-accept">
          Accept
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void answer(false)}
          data-testid="request-decline"
        >
          Decline
        </button>
      </div>
      <ErrorLine error={error} />
    </>
  );
}
