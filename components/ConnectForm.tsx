import { useState } from 'preact/hooks';
import { describeError } from './describe';

/** A failed connect, kept as it happened and worded at render time, when more may be known. */
type Failure = { input: string; error: unknown };

export function ConnectForm({
  onConnect,
  explain = (failure) => describeError(failure.error),
}: {
  onConnect: (addressOrInvite: string) => Promise<void>;
  explain?: (failure: Failure) => string;
}) {
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!input.trim()) return;
    const text = input.trim();
    setBusy(true);
    setFailure(undefined);
    try {
      await onConnect(text);
      setInput('');
    } catch (error) {
      setFailure({ input: text, error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      <label class="label" for="connect-address">
        Paste an invite or address
      </label>
      <div class="row">
        <input
          id="connect-address"
          data-testid="connect-input"
          placeholder="Invite (or a Tincan address)"
          value={input}
          onInput={(e) => setInput(e.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit" disabled={busy || !input.trim()} data-testid="connect-button">
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      {failure && (
        <p class="error" role="alert" data-testid="connect-error">
          {explain(failure)}
        </p>
      )}
    </form>
  );
}
