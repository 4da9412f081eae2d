/**
 * A file name from a peer, made safe to save: the sender chooses it, so it may hold path
 * separators, control characters, or names Windows reserves. Downloads get the last path part,
 * printable, at most 200 characters, never empty or a dot name.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function safeFileName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  // Control characters, and characters Windows and Chrome's downloads API refuse in names.
  const cleaned = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u200e\u200f\u202a-\u202e]/g, '_')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  const bounded = Array.from(cleaned).slice(0, 200).join('');
  if (bounded === '' || RESERVED.test(bounded)) return `file${bounded ? `-${bounded}` : ''}`;
  return bounded;
}
