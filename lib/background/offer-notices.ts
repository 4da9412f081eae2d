/**
 * A file offered while the popup is closed raises a notification, once; it goes when the offer
 * is answered, withdrawn or expires. Which offers were told is kept in memory only: a service
 * worker started again may tell an offer still open a second time, which is better than never.
 */
import type { AgentSnapshot } from '../agent/agent';
import type { Attention } from '../platform/attention';

export const FILE_NOTIFICATION_PREFIX = 'tincan-file:';

export function createOfferNotices(attention: Attention) {
  const told = new Set<string>();
  return async function offersChanged(snapshot: AgentSnapshot): Promise<void> {
    const open = snapshot.transfers.filter((t) => t.direction === 'incoming' && t.status === 'offered');
    const openIds = new Set(open.map((t) => t.id));
    for (const id of told) if (!openIds.has(id)) told.delete(id);
    const fresh = open.filter((t) => !told.has(t.id));
    for (const t of fresh) told.add(t.id);
    if (fresh.length > 0 && !(await attention.isPopupShowing())) {
      for (const t of fresh) {
        const contact = snapshot.contacts.find((c) => c.identityKey === t.contactKey);
        const who = contact?.petname || `key ${contact?.fingerprint ?? t.contactKey.slice(0, 8)}`;
        // The file's name is the sender's word: shown as plain text, quoted.
        await attention.notify(
          `${FILE_NOTIFICATION_PREFIX}${t.id}`,
          `File from ${who}`,
          `“${t.name}”: open Tincan to accept or decline it.`,
        );
      }
    }
    for (const id of await attention.shownIds()) {
      if (id.startsWith(FILE_NOTIFICATION_PREFIX) && !openIds.has(id.slice(FILE_NOTIFICATION_PREFIX.length))) {
        await attention.clear(id);
      }
    }
  };
}
