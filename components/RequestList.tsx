import type { Conversation } from '@/lib/sessions/conversations';
import { RequestAnswer } from './RequestAnswer';
import { RequestLine } from './RequestLine';

/** Strangers whose keys asked to chat: nothing they say is shown until the user accepts. */
export function RequestList({
  requests,
  onAnswer,
}: {
  requests: Conversation[];
  onAnswer: (address: string, accept: boolean) => Promise<void>;
}) {
  if (requests.length === 0) return null;
  return (
    <section class="requests" aria-label="Connection requests">
      {requests.map((c) => (
        <div key={c.address} class="card request" data-testid="request">
          <RequestLine peer={c.peer} />
          <RequestAnswer onAnswer={(accept) => onAnswer(c.address, accept)} />
        </div>
      ))}
    </section>
  );
}
