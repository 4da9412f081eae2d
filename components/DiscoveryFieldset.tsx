import type { DiscoverySettings } from '@/lib/store/settings';

/** Same-network discovery: whether to announce oneself here, and how this network is recognised. */
export function DiscoveryFieldset({
  value,
  onChange,
}: {
  value: DiscoverySettings;
  onChange: (change: Partial<DiscoverySettings>) => void;
}) {
  return (
    <fieldset data-testid="discovery-settings">
      <legend>Same-network discovery</legend>
      <label class="check">
        <input
          name="discoveryEnabled"
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
        />
        Find people on the same network
      </label>
      <label class="check">
        <input
          name="discoveryOnCellular"
          type="checkbox"
          checked={value.onCellular}
          disabled={!value.enabled}
          onChange={(e) => onChange({ onCellular: e.currentTarget.checked })}
        />
        Also on cellular connections
      </label>
      <label>
        “What is my IP” URL (optional)
        <input
          name="addressLookupUrl"
          inputMode="url"
          spellcheck={false}
          placeholder="https://…"
          value={value.addressLookupUrl}
          onInput={(e) => onChange({ addressLookupUrl: e.currentTarget.value })}
        />
      </label>
      <p class="hint">
        A page that answers with your public IP address as plain text. Tincan asks it only when no STUN server answers,
        to recognise this network; whoever runs it learns your public address. Leave empty to ask no one.
      </p>
    </fieldset>
  );
}
