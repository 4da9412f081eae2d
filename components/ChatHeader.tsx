import type { ContactView } from '@/lib/agent/agent-views';
import type { Conversation } from '@/lib/sessions/conversations';
import { describeStage, isEncrypted } from './describe';

/** Who this chat is with, and whether what is said in it is encrypted to them. */
export function ChatHeader({
  conversation,
  name,
  contact,
  onBack,
}: {
  conversation: Conversation;
  name: string;
  contact: ContactView | undefined;
  onBack: () => void;
}) {
  const { stage, peer } = conversation;
  return (
    <header class="chat-header">
      <div class="row between">
        <button type="button" class="link" onClick={onBack} aria-label="Back to chats">
          ←
        </button>
        <span class="who">
          <span class="row tight">
            <strong data-testid="chat-peer-name">{name}</strong>
            {contact?.verified && isEncrypted(stage) && (
              <span class="verified" title="You verified this contact’s key" data-testid="chat-verified">
                ✓
              </span>
            )}
          </span>
          <span class="muted small">{conversation.address}</span>
        </span>
        <span
          class={`status ${stage === 'ready' ? 'ok' : stage === 'closed' ? 'bad' : 'busy'}`}
          data-testid="chat-link"
        >
          {describeStage(stage)}
        </span>
      </div>
      <p class={`encryption small ${isEncrypted(stage) ? 'on' : 'off'}`} data-testid="chat-encryption">
        {isEncrypted(stage) && peer ? (
          <>
            🔒 Encrypted with {name} · <code>{peer.fingerprint}</code>
          </>
        ) : stage === 'securing' ? (
          'Securing…'
        ) : (
          'Not connected'
        )}
      </p>
    </header>
  );
}
