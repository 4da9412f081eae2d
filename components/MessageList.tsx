import { useEffect, useRef } from 'preact/hooks';
import type { MessageView } from '@/lib/agent/chat-views';
import { formatTime } from './describe';
import { MessageState } from './MessageState';

export function MessageList({
  messages,
  myName,
  peerName,
}: {
  messages: MessageView[];
  myName: string;
  peerName: string;
}) {
  const log = useRef<HTMLOListElement>(null);
  const count = messages.length;
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [count]);
  return (
    <ol class="messages" ref={log} data-testid="messages">
      {messages.map((m) => (
        <li key={`${m.from}:${m.id}`} class={`message ${m.from}`} data-testid="message">
          <div class="meta small">
            <span class="sender">{m.from === 'me' ? myName || 'You' : peerName}</span>{' '}
            <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
            {m.from === 'me' && <MessageState state={m.state} />}
          </div>
          <div class="text">{m.text}</div>
        </li>
      ))}
    </ol>
  );
}
