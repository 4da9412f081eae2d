import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import { type ContactActions, ContactRow } from './ContactRow';

export function ContactList({
  contacts,
  empty,
  actions,
  fileOffers,
}: {
  contacts: ContactChatView[];
  /** What an empty list means here. */
  empty: string;
  actions: ContactActions;
  /** Files each contact offers that wait for an answer. */
  fileOffers?: ReadonlyMap<string, number>;
}) {
  if (contacts.length === 0) return <p class="muted small">{empty}</p>;
  // Online first, then by name: the people you can talk to now are on top.
  const sorted = [...contacts].sort(
    (a, b) => Number(b.online) - Number(a.online) || a.petname.localeCompare(b.petname),
  );
  return (
    <ul class="contacts">
      {sorted.map((contact) => (
        <ContactRow
          key={contact.identityKey}
          contact={contact}
          actions={actions}
          fileOffers={fileOffers?.get(contact.identityKey) ?? 0}
        />
      ))}
    </ul>
  );
}
