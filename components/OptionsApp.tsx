import { useEffect, useState } from 'preact/hooks';
import { formatIceServers, parseIceServers } from '@/lib/store/ice-servers-text';
import { type Settings, SettingsSchema } from '@/lib/store/settings';
import { DiscoveryFieldset } from './DiscoveryFieldset';

type Status = { tone: 'ok' | 'bad'; text: string } | undefined;

export function OptionsApp({
  load,
  save,
  defaults,
}: {
  load: () => Promise<Settings>;
  save: (settings: Settings) => Promise<void>;
  defaults: Settings;
}) {
  const [form, setForm] = useState<Settings | undefined>();
  const [iceText, setIceText] = useState('');
  const [status, setStatus] = useState<Status>();
  const show = (settings: Settings) => {
    setForm(settings);
    setIceText(formatIceServers(settings.iceServers));
  };
  useEffect(() => {
    load().then(show, (error: Error) => setStatus({ tone: 'bad', text: `Could not load settings: ${error.message}` }));
  }, [load]);
  if (!form) return <p>Loading…</p>;

  const signaling = form.signaling;
  const setSignaling = (change: Partial<Settings['signaling']>) =>
    setForm({ ...form, signaling: { ...signaling, ...change } });

  const submit = async (event: Event) => {
    event.preventDefault();
    const ice = parseIceServers(iceText);
    if (!ice.ok) {
      setStatus({ tone: 'bad', text: `ICE servers, line ${ice.line}: ${ice.error}` });
      return;
    }
    const discovery = { ...form.discovery, addressLookupUrl: form.discovery.addressLookupUrl.trim() };
    const parsed = SettingsSchema.safeParse({ ...form, iceServers: ice.servers, discovery });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setStatus({ tone: 'bad', text: `${issue?.path.join('.') ?? 'settings'}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    try {
      await save(parsed.data);
      setStatus({ tone: 'ok', text: 'Saved. Tincan reconnects with the new settings.' });
    } catch (error) {
      setStatus({ tone: 'bad', text: `Could not save: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  return (
    <form class="options" onSubmit={submit}>
      <h1>Tincan settings</h1>
      <fieldset>
        <legend>You</legend>
        <label>
          Display name (shown to the people you chat with)
          <input
            name="displayName"
            maxLength={40}
            value={form.displayName}
            onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })}
          />
        </label>
      </fieldset>
      <fieldset>
        <legend>Signaling server (PeerJS)</legend>
        <label>
          Host
          <input name="host" value={signaling.host} onInput={(e) => setSignaling({ host: e.currentTarget.value })} />
        </label>
        <label>
          Port
          <input
            name="port"
            type="number"
            min={1}
            max={65535}
            value={signaling.port}
            onInput={(e) => setSignaling({ port: Number(e.currentTarget.value) })}
          />
        </label>
        <label>
          Path
          <input name="path" value={signaling.path} onInput={(e) => setSignaling({ path: e.currentTarget.value })} />
        </label>
        <label>
          API key
          <input name="key" value={signaling.key} onInput={(e) => setSignaling({ key: e.currentTarget.value })} />
        </label>
        <label class="check">
          <input
            name="secure"
            type="checkbox"
            checked={signaling.secure}
            onChange={(e) => setSignaling({ secure: e.currentTarget.checked })}
          />
          Secure (wss://)
        </label>
      </fieldset>
      <fieldset>
        <legend>ICE servers (STUN / TURN)</legend>
        <textarea name="iceServers" rows={4} value={iceText} onInput={(e) => setIceText(e.currentTarget.value)} />
        <p class="hint">
          One per line: <code>stun:host:port</code> or <code>turn:host:port username credential</code>.
        </p>
      </fieldset>
      <DiscoveryFieldset
        value={form.discovery}
        onChange={(change) => setForm({ ...form, discovery: { ...form.discovery, ...change } })}
      />
      <div class="actions">
        <button type="submit">Save</button>
        <button type="button" class="secondary" onClick={() => show(defaults)}>
          Reset to defaults
        </button>
      </div>
      {status && (
        <p class={status.tone} role="status" data-testid="options-status">
          {status.text}
        </p>
      )}
    </form>
  );
}
