import { useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import { describeStatus } from './describe';

export function AddressCard({ snapshot }: { snapshot: AgentSnapshot }) {
  const [copied, setCopied] = useState(false);
  const status = describeStatus(snapshot.status);
  const address = snapshot.status.state === 'online' ? snapshot.status.address : '';
  const retrying = snapshot.status.state === 'offline' ? snapshot.status.retryingAt : undefined;
  const detail = snapshot.status.state === 'offline' ? snapshot.status.problem.detail : '';
  const copy = async () => {
    await navigator.clipboard.writeText(address);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <section class="card">
      <div class="row between">
        <span class="label">Your address</span>
        <span class={`status ${status.tone}`} data-testid="server-status">
          {status.label}
        </span>
      </div>
      <div class="row">
        <code class="address" data-testid="my-address">
          {address || '—'}
        </code>
        <button type="button" onClick={copy} disabled={!address} data-testid="copy-address">
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div class="muted small" data-testid="server">
        Server: {snapshot.server || '—'}
        {detail && ` · ${detail}`}
        {retrying !== undefined && ` · retrying in ${Math.max(0, Math.round((retrying - Date.now()) / 1000))} s`}
      </div>
    </section>
  );
}
