import type { PingResult } from '@/lib/agent/agent-api';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import { ContactPing } from './ContactPing';

/**
 * A saved contact with no connection up: what is written waits for them, and Ping tries their
 * last address now (the agent retries on its own; this is for someone who wants to know).
 */
export function ContactChatNotice({
  contact,
  name,
  onPing,
}: {
  contact: ContactChatView;
  name: string;
  onPing: () => Promise<PingResult>;
}) {
  const { pending } = contact;
  return (
    <div class="notice small" data-testid="chat-offline">
      <p>
        {name} is not connected.{' '}
        {pending === 0
          ? 'What you write waits, and is sent as soon as they are reachable.'
          : `${pending === 1 ? '1 message' : `${pending} messages`} waiting: sent as soon as they are reachable.`}
      </p>
      <ContactPing onPing={onPing} />
    </div>
  );
}
