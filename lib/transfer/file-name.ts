/**
 * A file name from a peer, made safe to save: the sender chooses it, so it may hold path
 * separators, control characters, or names Windows reserves. Downloads get the last path part,
 * printable, at most 200 characters, never empty or a dot name. The same cut keeps a name we
 * offer within a file offer's MAX_FILE_NAME_BYTES of UTF-8 (a long name in Japanese or emoji is
 * more bytes than characters), cut between characters.
 */
import { MAX_FILE_NAME_BYTES } from '../protocol/file-frame';

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_CHARACTERS = 200;

const utf8Bytes = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/** The longest start of `text` within both limits, whole characters only. */
function bounded(text: string): string {
  let out = '';
  let characters = 0;
  let bytes = 0;
  for (const character of text) {
    bytes += utf8Bytes(character.codePointAt(0) ?? 0);
    characters += 1;
    if (characters > MAX_CHARACTERS || bytes > MAX_FILE_NAME_BYTES) break;
    out += character;
  }
  return out;
}

export function safeFileName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  // Control characters, and characters Windows and Chrome's downloads API refuse in names.
  const cleaned = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  // Trailing dots and spaces go after the cut, which may leave new ones at the end.
  const safe = bounded(cleaned).replace(/[. ]+$/, '');
  if (safe === '' || RESERVED.test(safe)) return `file${safe ? `-${safe}` : ''}`;
  return safe;
}
