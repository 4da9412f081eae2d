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
  const waiting = contact.pending === 1 ? '1 message is waiting' : `${contact.pending} messages are waiting`;
  return (
    <div class="notice small" data-testid="chat-offline">
      <p>
        {name} is not connected. {contact.pending > 0 ? `${waiting} to be sent` : 'What you write waits'} and goes as
        soon as they are reachable.
      </p>
      <ContactPing onPing={onPing} />
    </div>
  );
}
