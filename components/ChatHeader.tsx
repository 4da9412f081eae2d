import type { ContactView } from '@/lib/agent/agent-views';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import type { Conversation } from '@/lib/sessions/conversations';
import { describeReach, describeStage, isEncrypted } from './describe';

/**
 * Who this chat is with, and whether what is said in it is encrypted to them. A contact's chat
 * with no connection up says how the agent stands with them instead, and where it last saw them.
 */
export function ChatHeader({
  conversation,
  name,
  contact,
  onBack,
}: {
  conversation: Conversation | undefined;
  name: string;
  contact: ContactView | ContactChatView | undefined;
  onBack: () => void;
}) {
  const stage = conversation?.stage;
  const encrypted = stage !== undefined && isEncrypted(stage);
  const reach = contact && 'reach' in contact ? contact.reach : 'offline';
  const status =
    stage === undefined
      ? { label: describeReach(reach), tone: reach === 'offline' ? 'bad' : 'busy' }
      : { label: describeStage(stage), tone: stage === 'ready' ? 'ok' : stage === 'closed' ? 'bad' : 'busy' };
  const peer = conversation?.peer;
  return (
    <header class="chat-header">
      <div class="row between">
        <button type="button" class="link" onClick={onBack} aria-label="Back to chats">
          ←
        </button>
        <span class="who">
          <span class="row tight">
            <strong data-testid="chat-peer-name">{name}</strong>
            {contact?.verified && encrypted && (
              <span class="verified" title="You verified this contact’s key" data-testid="chat-verified">
                ✓
              </span>
            )}
          </span>
          <span class="muted small">
            {conversation ? conversation.address : contact?.address ? `Last address: ${contact.address}` : ''}
          </span>
        </span>
        <span class={`status ${status.tone}`} data-testid="chat-link">
          {status.label}
        </span>
      </div>
      <p class={`encryption small ${encrypted ? 'on' : 'off'}`} data-testid="chat-encryption">
        {encrypted && peer ? (
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
