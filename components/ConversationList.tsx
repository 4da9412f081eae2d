import type { Conversation } from '@/lib/sessions/conversations';
import { describeLink } from './describe';

export function ConversationList({
  conversations,
  onOpen,
}: {
  conversations: Conversation[];
  onOpen: (address: string) => void;
}) {
  if (conversations.length === 0) {
    return <p class="muted empty">No chats yet. Share your address, or paste someone else’s above.</p>;
  }
  return (
    <ul class="conversations">
      {conversations.map((c) => (
        <li key={c.address}>
          <button type="button" class="conversation" onClick={() => onOpen(c.address)} data-testid="conversation">
            <span class={`dot ${c.link}`} title={describeLink(c.link)} />
            <span class="who">
              <strong>{c.name || 'Unnamed'}</strong>
              <span class="muted small">{c.address}</span>
            </span>
            {c.unread > 0 && <span class="unread">{c.unread}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
