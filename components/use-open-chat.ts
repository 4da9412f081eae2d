import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentSnapshot } from '@/lib/agent/agent';
import type { Conversation } from '@/lib/sessions/conversations';

/**
 * The chat on screen. Addresses move: when the open chat's contact comes back from a new
 * address (the agent merges the two conversations), the chat follows them by key.
 */
export function useOpenChat(snapshot: AgentSnapshot | undefined) {
  const [address, setAddress] = useState<string | undefined>();
  const peerKey = useRef<string | undefined>();
  const conversations = snapshot?.conversations ?? [];
  const byAddress = address === undefined ? undefined : conversations.find((c) => c.address === address);
  const key = peerKey.current;
  const conversation: Conversation | undefined =
    byAddress ??
    (address !== undefined && key !== undefined ? conversations.find((c) => c.peer?.identityKey === key) : undefined);
  useEffect(() => {
    peerKey.current = conversation?.peer?.identityKey;
    if (conversation && conversation.address !== address) setAddress(conversation.address);
  }, [conversation, address]);
  return { conversation, open: setAddress, close: () => setAddress(undefined) };
}
