import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conversation } from '@/lib/sessions/conversations';
import { describeConversationProblem, describeLink, formatTime } from './describe';

export function ChatView({
  conversation,
  myName,
  onBack,
  onSend,
  onReconnect,
}: {
  conversation: Conversation;
  myName: string;
  onBack: () => void;
  onSend: (text: string) => Promise<void>;
  onReconnect: () => Promise<void>;
}) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState('');
  const log = useRef<HTMLOListElement>(null);
  const count = conversation.messages.length;
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [count]);

  const send = async () => {
    const text = draft.trim();
    if (!text) return;
    setError('');
    try {
      await onSend(text);
      setDraft(''); // only once the agent took it: a failed send keeps what was typed
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    }
  };
  const open = conversation.link === 'open';
  return (
    <section class="chat">
      <header class="row between">
        <button type="button" class="link" onClick={onBack} aria-label="Back to chats">
          ←
        </button>
        <span class="who">
          <strong data-testid="chat-peer-name">{conversation.name || 'Unnamed'}</strong>
          <span class="muted small">{conversation.address}</span>
        </span>
        <span class={`status ${open ? 'ok' : 'bad'}`} data-testid="chat-link">
          {describeLink(conversation.link)}
        </span>
      </header>
      <p class="notice small">Not encrypted yet: do not send secrets.</p>
      {conversation.problem && (
        <p class="error" role="alert">
          {describeConversationProblem(conversation.problem)}{' '}
          {conversation.link === 'closed' && (
            <button type="button" class="link" onClick={() => void onReconnect().catch(() => {})}>
              Reconnect
            </button>
          )}
        </p>
      )}
      <ol class="messages" ref={log} data-testid="messages">
        {conversation.messages.map((m) => (
          <li key={`${m.from}:${m.id}`} class={`message ${m.from}`} data-testid="message">
            <div class="meta small">
              <span class="sender">{m.from === 'me' ? myName || 'You' : conversation.name || 'Them'}</span>{' '}
              <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
            </div>
            <div class="text">{m.text}</div>
          </li>
        ))}
      </ol>
      <form
        class="composer row"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <textarea
          data-testid="composer"
          placeholder={open ? 'Write a message' : 'Disconnected'}
          value={draft}
          rows={2}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" disabled={!open || !draft.trim()} data-testid="send-button">
          Send
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="send-error">
          {error}
        </p>
      )}
    </section>
  );
}
