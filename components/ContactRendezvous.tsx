import type { ContactChatView } from '@/lib/agent/chat-snapshot';

/**
 * Whether a contact is found again anywhere (special: secret rendezvous slots), and the offer to
 * pause that for someone unseen for a month (each visit costs a registration on the signaling
 * server, for nobody).
 */
const EXPLANATION =
  'Special contacts find each other through secret rendezvous points even after both changed networks';

export function ContactRendezvous({
  contact,
  setSpecial,
  setPaused,
}: {
  contact: ContactChatView;
  setSpecial: (special: boolean) => void;
  setPaused: (paused: boolean) => void;
}) {
  return (
    <div class="rendezvous small">
      <label title={EXPLANATION}>
        <input
          type="checkbox"
          checked={contact.special}
          onChange={(e) => setSpecial(e.currentTarget.checked)}
          data-testid="contact-special"
        />{' '}
        Find again anywhere
      </label>
      {/* Said once, where it is an offer; a special contact keeps it as the label's title. */}
      {!contact.special && <p class="muted">{EXPLANATION}</p>}
      {contact.rendezvousPaused ? (
        <p class="muted" data-testid="contact-paused">
          Rendezvous paused{' '}
          <button type="button" class="link small" onClick={() => setPaused(false)} data-testid="contact-resume">
            Resume
          </button>
        </p>
      ) : (
        contact.suggestPause && (
          <p class="notice" data-testid="contact-pause-offer">
            Not seen for 30 days — pause looking for them?{' '}
            <button type="button" class="link small" onClick={() => setPaused(true)} data-testid="contact-pause">
              Pause
            </button>
          </p>
        )
      )}
    </div>
  );
}
