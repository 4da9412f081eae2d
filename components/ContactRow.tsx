import { useState } from 'preact/hooks';
import type { ContactView } from '@/lib/agent/agent-views';
import { describeError } from './describe';
import { ErrorLine } from './ErrorLine';
import { PetnameEditor } from './PetnameEditor';
import { RemoveContact } from './RemoveContact';
import { SafetyNumberPanel } from './SafetyNumberPanel';

export interface ContactActions {
  openChat(address: string): void;
  connect(address: string): Promise<void>;
  rename(identityKey: string, petname: string): Promise<void>;
  setVerified(identityKey: string, verified: boolean): Promise<void>;
  remove(identityKey: string): Promise<void>;
}

export function ContactRow({ contact, actions }: { contact: ContactView; actions: ContactActions }) {
  const [showSafety, setShowSafety] = useState(false);
  const [error, setError] = useState('');
  const run = (action: () => Promise<void>) => {
    setError('');
    action().catch((problem: unknown) => setError(describeError(problem)));
  };
  const { conversationAddress, address } = contact;
  return (
    <li class="contact" data-testid="contact">
      <div class="row">
        <span
          class={`dot ${contact.online ? 'online' : ''}`}
          title={contact.online ? 'Online' : 'Offline'}
          data-testid="contact-online"
          data-online={contact.online}
        />
        <div class="who">
          <PetnameEditor petname={contact.petname} onRename={(name) => actions.rename(contact.identityKey, name)} />
          <span class="muted small">
            <code data-testid="contact-fingerprint">{contact.fingerprint}</code> ·{' '}
            <span class={contact.verified ? 'verified' : ''} data-testid="contact-verified">
              {contact.verified ? '✓ Verified' : 'Not verified'}
            </span>
          </span>
        </div>
        {conversationAddress !== undefined ? (
          <button type="button" onClick={() => actions.openChat(conversationAddress)} data-testid="contact-open">
            Chat
          </button>
        ) : (
          <button
            type="button"
            class="secondary"
            disabled={!address}
            title={address ? `Try ${address}` : 'No known address'}
            onClick={() => run(() => actions.connect(address))}
            data-testid="contact-connect"
          >
            Connect
          </button>
        )}
      </div>
      <div class="row between">
        <button
          type="button"
          class="link small"
          aria-expanded={showSafety}
          onClick={() => setShowSafety(!showSafety)}
          data-testid="safety-toggle"
        >
          {showSafety ? 'Hide safety number' : 'Safety number'}
        </button>
        <RemoveContact petname={contact.petname} onRemove={() => run(() => actions.remove(contact.identityKey))} />
      </div>
      {showSafety && (
        <SafetyNumberPanel
          contact={contact}
          onSetVerified={(verified) => run(() => actions.setVerified(contact.identityKey, verified))}
        />
      )}
      <ErrorLine error={error} />
    </li>
  );
}
