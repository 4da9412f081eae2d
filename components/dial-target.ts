import { decodeInvite, looksLikeInvite } from '@/lib/crypto/invite';

/**
 * The address a pasted invite or address will dial: the chat to open once connected, and
 * where to look for the reason if it fails. Undefined for a damaged invite (the agent says why).
 */
export function dialTarget(input: string): string | undefined {
  const text = input.trim();
  if (!looksLikeInvite(text)) return text;
  const parsed = decodeInvite(text);
  return parsed.ok ? parsed.invite.address : undefined;
}
