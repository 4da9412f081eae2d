import { useState } from 'preact/hooks';
import type { PingResult } from '@/lib/agent/agent-api';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import { ContactPing } from './ContactPing';
import { ContactRendezvous } from './ContactRendezvous';
import { describeError, describeReach } from './describe';
import { ErrorLine } from './ErrorLine';
import { PetnameEditor } from './PetnameEditor';
import { RemoveContact } from './RemoveContact';
import { SafetyNumberPanel } from './SafetyNumberPanel';

export interface ContactActions {
  /** Opens the contact's chat, reachable or not. */
  openChat(contactKey: string): void;
  connect(address: string): Promise<void>;
  ping(contactKey: string): Promise<PingResult>;
  setSpecial(identityKey: string, special: boolean): Promise<void>;
  setPaused(identityKey: string, paused: boolean): Promise<void>;
  rename(identityKey: string, petname: string): Promise<void>;
  setVerified(identityKey: string, verified: boolean): Promise<void>;
  remove(identityKey: string): Promise<void>;
}

export function ContactRow({
  contact,
  actions,
  fileOffers = 0,
}: {
  contact: ContactChatView;
  actions: ContactActions;
  /** Files they offer that wait for an answer (in their chat). */
  fileOffers?: number;
}) {
  const [showSafety, setShowSafety] = useState(false);
  const [error, setError] = useState('');
  const run = (action: () => Promise<void>) => {
    setError('');
    action().catch((problem: unknown) => setError(describeError(problem)));
  };
  const { address, identityKey } = contact;
  return (
    <li class="contact" data-testid="contact">
      <div class="row">
        <span
          class={`dot ${contact.reach}`}
          title={describeReach(contact.reach)}
          data-testid="contact-online"
          data-online={contact.online}
        />
        <div class="who">
          <PetnameEditor petname={contact.petname} onRename={(name) => actions.rename(identityKey, name)} />
          <span class="muted small">
            <code data-testid="contact-fingerprint">{contact.fingerprint}</code> ·{' '}
            <span class={contact.verified ? 'verified' : ''} data-testid="contact-verified">
              {contact.verified ? '✓ Verified' : 'Not verified'}
            </span>
          </span>
        </div>
        {contact.unread > 0 && (
          <span class="unread" title="Unread" data-testid="contact-unread">
            {contact.unread}
          </span>
        )}
        <button type="button" onClick={() => actions.openChat(identityKey)} data-testid="contact-open">
          Open chat
        </button>
      </div>
      <div class="row tight wrap">
        <span class="muted small">
          <span data-testid="contact-reach" data-reach={contact.reach}>
            {describeReach(contact.reach)}
          </span>
          {contact.pending > 0 && <span data-testid="contact-pending"> · {contact.pending} waiting to send</span>}
          {fileOffers > 0 && (
            <span class="file-offers" data-testid="contact-file-offers">
              {' '}
              · {fileOffers === 1 ? 'a file' : `${fileOffers} files`} for you
            </span>
          )}
        </span>
        {!contact.online && (
          <button
            type="button"
            class="secondary small"
            disabled={!address}
            title={address ? `Try ${address}` : 'No known address'}
            onClick={() => run(() => actions.connect(address))}
            data-testid="contact-connect"
          >
            Connect
          </button>
        )}
        {!contact.online && <ContactPing onPing={() => actions.ping(identityKey)} />}
      </div>
      <ContactRendezvous
        contact={contact}
        setSpecial={(special) => run(() => actions.setSpecial(identityKey, special))}
        setPaused={(paused) => run(() => actions.setPaused(identityKey, paused))}
      />
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
        <RemoveContact petname={contact.petname} onRemove={() => run(() => actions.remove(identityKey))} />
      </div>
      {showSafety && (
        <SafetyNumberPanel
          contact={contact}
          onSetVerified={(verified) => run(() => actions.setVerified(identityKey, verified))}
        />
      )}
      <ErrorLine error={error} />
    </li>
  );
}
