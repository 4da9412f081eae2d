import type { ContactView } from '@/lib/agent/agent-views';
import type { Conversation } from '@/lib/sessions/conversations';
import { describeConversationProblem } from './describe';
import { KeyWarning } from './KeyWarning';
import { RequestAnswer } from './RequestAnswer';
import { RequestLine } from './RequestLine';

export interface ChatNoticeActions {
  reconnect(): Promise<void>;
  answer(accept: boolean): Promise<void>;
  trustNewKey(): Promise<void>;
}

/** What the user should know, or decide, about this chat's connection right now. */
export function ChatNotice({
  conversation,
  contacts,
  actions,
}: {
  conversation: Conversation;
  contacts: ContactView[];
  actions: ChatNoticeActions;
}) {
  const { stage, problem } = conversation;
  const reconnect = (
    <button type="button" class="link" onClick={() => void actions.reconnect().catch(() => {})}>
      Reconnect
    </button>
  );
  if (problem?.kind === 'key-changed') {
    const contact = contacts.find((c) => c.identityKey === problem.contactKey);
    return (
      <KeyWarning
        contactName={contact?.petname || 'your contact'}
        presentedFingerprint={problem.presentedFingerprint}
        onTrust={actions.trustNewKey}
      />
    );
  }
  if (problem) {
    return (
      <p class="error" role="alert" data-testid="chat-problem">
        {describeConversationProblem(problem)} {stage === 'closed' && reconnect}
      </p>
    );
  }
  switch (stage) {
    case 'request':
      return (
        <div class="card request" data-testid="request">
          <RequestLine peer={conversation.peer} />
          <span class="muted small">Nothing they send is shown until you accept.</span>
          <RequestAnswer onAnswer={actions.answer} />
        </div>
      );
    case 'waiting':
      return (
        <p class="notice small" data-testid="chat-waiting">
          Waiting for them to accept your request…
        </p>
      );
    case 'closed':
      return <p class="muted small">Disconnected. {reconnect}</p>;
    default:
      return null;
  }
}
