import { useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import { CopyButton } from './CopyButton';
import { describeStatus } from './describe';
import { InvitePanel } from './InvitePanel';

export function AddressCard({ snapshot }: { snapshot: AgentSnapshot }) {
  const [showInvite, setShowInvite] = useState(false);
  const status = describeStatus(snapshot.status);
  const address = snapshot.status.state === 'online' ? snapshot.status.address : '';
  const retrying = snapshot.status.state === 'offline' ? snapshot.status.retryingAt : undefined;
  const detail = snapshot.status.state === 'offline' ? snapshot.status.problem.detail : '';
  const invite = snapshot.me?.invite;
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
        <CopyButton text={address} testId="copy-address" />
      </div>
      <div class="row between">
        <span class="small" data-testid="my-fingerprint">
          Your key: <code>{snapshot.me?.fingerprint ?? '—'}</code>
        </span>
        <button
          type="button"
          class="secondary small"
          onClick={() => setShowInvite(!showInvite)}
          disabled={!invite}
          aria-expanded={showInvite}
          data-testid="invite-toggle"
        >
          {showInvite ? 'Hide invite' : 'Invite'}
        </button>
      </div>
      {showInvite && invite && <InvitePanel invite={invite} />}
      <div class="muted small" data-testid="server">
        Server: {snapshot.server || '—'}
        {detail && ` · ${detail}`}
        {retrying !== undefined && ` · retrying in ${Math.max(0, Math.round((retrying - Date.now()) / 1000))} s`}
      </div>
    </section>
  );
}
