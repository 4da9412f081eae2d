import type { MessageState as State } from '@/lib/store/chat-records';
import { describeMessageState } from './describe';

/** A clock drawn, not an emoji: it must show in a browser without an emoji font. */
const CLOCK = (
  <svg viewBox="0 0 12 12" width="11" height="11" aria-hidden="true">
    <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" stroke-width="1.3" />
    <path d="M6 3v3.2l2 1.3" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
  </svg>
);

/** Beside one of my messages: waiting in the outbox (a clock), sent (✓), delivered (✓✓). */
export function MessageState({ state }: { state: State }) {
  const words = describeMessageState(state);
  if (words === undefined) return null;
  return (
    <span
      class={`state ${state}`}
      title={words}
      role="img"
      aria-label={words}
      data-testid="message-state"
      data-state={state}
    >
      {state === 'pending' ? CLOCK : state === 'sent' ? '✓' : '✓✓'}
    </span>
  );
}
