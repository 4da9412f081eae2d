import { useState } from 'preact/hooks';

export function ConnectForm({ onConnect }: { onConnect: (address: string) => Promise<void> }) {
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!address.trim()) return;
    setBusy(true);
    setError('');
    try {
      await onConnect(address.trim());
      setAddress('');
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      <label class="label" for="connect-address">
        Connect to an address
      </label>
      <div class="row">
        <input
          id="connect-address"
          data-testid="connect-input"
          placeholder="Paste a Tincan address"
          value={address}
          onInput={(e) => setAddress(e.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit" disabled={busy || !address.trim()} data-testid="connect-button">
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      {error && (
        <p class="error" role="alert" data-testid="connect-error">
          {error}
        </p>
      )}
    </form>
  );
}
