import type { ContactView } from '@/lib/agent/agent-views';
import type { Conversation } from '@/lib/sessions/conversations';
import { describeStage, isEncrypted } from './describe';
import { peerName } from './peer-name';

export function ConversationList({
  conversations,
  contacts,
  onOpen,
}: {
  conversations: Conversation[];
  contacts: ContactView[];
  onOpen: (address: string) => void;
}) {
  if (conversations.length === 0) {
    return <p class="muted empty">No chats yet. Share your invite, or paste someone else’s above.</p>;
  }
  return (
    <ul class="conversations">
      {conversations.map((c) => (
        <li key={c.address}>
          <button type="button" class="conversation" onClick={() => onOpen(c.address)} data-testid="conversation">
            <span class={`dot ${c.stage}`} title={describeStage(c.stage)} />
            <span class="who">
              <strong>
                {isEncrypted(c.stage) && (
                  <span class="lock" role="img" title="End-to-end encrypted" aria-label="Encrypted">
                    🔒{' '}
                  </span>
                )}
                {peerName(c, contacts)}
              </strong>
              <span class="muted small" data-testid="conversation-stage">
                {c.problem?.kind === 'key-changed' ? (
                  <span class="bad">⚠ Key changed, not trusted</span>
                ) : (
                  describeStage(c.stage)
                )}{' '}
                · {c.address}
              </span>
            </span>
            {c.unread > 0 && <span class="unread">{c.unread}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
