/**
 * A received file's name is the sender's choice: what reaches downloads is one plain name,
 * never a path, never a name Windows refuses, and never one that reads differently from what it is.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FILE_NAME_BYTES, MIN_PIECE_BYTES } from '../../lib/protocol/file-frame';
import { encodeFrame } from '../../lib/protocol/frame';
import { safeFileName } from '../../lib/transfer/file-name';

const utf8 = new TextEncoder();
const characters = (text: string) => Array.from(text).length;

describe('a file name from a peer, made safe to save', () => {
  it.each([
    ['a Unix path', 'a/b/c.txt', 'c.txt'],
    ['a Windows path', 'C:\\Users\\bob\\evil.exe', 'evil.exe'],
    ['a climb out of downloads', '../../../etc/passwd', 'passwd'],
    ['a mixed path', 'x\\y/z\\report.pdf', 'report.pdf'],
  ])('keeps only the last part of %s', (_, name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it('a name that is only a folder becomes a plain name', () => {
    expect(safeFileName('photos/')).toBe('file');
    expect(safeFileName('/')).toBe('file');
  });

  it('control characters (C0, DEL, C1) are replaced, not kept or silently joined', () => {
    expect(safeFileName('a\u0000b\nc\td\u007fe\u0085f\u009f.txt')).toBe('a_b_c_d_e_f_.txt');
  });

  it('characters Windows refuses in names are replaced', () => {
    expect(safeFileName('a<b>c:d"e|f?g*h.txt')).toBe('a_b_c_d_e_f_g_h.txt');
  });

  it('a right-to-left override cannot make an .exe read as a .jpg', () => {
    const name = safeFileName('holiday\u202Egpj.exe');
    expect(name).toBe('holiday_gpj.exe');
    expect(name.endsWith('.exe')).toBe(true);
  });

  it.each(['200E', '200F', '202A', '202B', '202C', '202D', '202E'])('the direction mark U+%s is replaced', (code) => {
    expect(safeFileName(`a${String.fromCodePoint(Number.parseInt(code, 16))}b.txt`)).toBe('a_b.txt');
  });

  it.each([
    ['CON', 'file-CON'],
    ['con.txt', 'file-con.txt'],
    ['Prn.tar.gz', 'file-Prn.tar.gz'],
    ['aux', 'file-aux'],
    ['NUL.', 'file-NUL'],
    ['com1.log', 'file-com1.log'],
    ['LPT9', 'file-LPT9'],
    [' con ', 'file-con'],
  ])('the reserved Windows name %j becomes %j', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it.each(['console.txt', 'conference', 'com10', 'nullable.ts', 'auxiliary'])(
    '%j only looks like a reserved name and is kept',
    (name) => {
      expect(safeFileName(name)).toBe(name);
    },
  );

  it.each([
    ['.', 'file'],
    ['..', 'file'],
    ['...', 'file'],
    ['.bashrc', 'bashrc'],
    ['..hidden.txt', 'hidden.txt'],
    ['report.', 'report'],
    ['report. . ', 'report'],
  ])('the dot name %j becomes %j (never hidden, never a trailing dot)', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it.each(['', ' ', '   '])('an empty name %j becomes "file"', (name) => {
    expect(safeFileName(name)).toBe('file');
  });

  it('a name of control characters only is still a name', () => {
    expect(safeFileName('\u0001\u0002')).toBe('__');
  });

  it('an ordinary name, with spaces and accents, is kept as it is', () => {
    expect(safeFileName('Rapport d’été 2026 (final).pdf')).toBe('Rapport d’été 2026 (final).pdf');
  });

  it('a very long name is cut to 200 characters', () => {
    expect(safeFileName('a'.repeat(300))).toBe('a'.repeat(200));
    expect(safeFileName('b'.repeat(200))).toBe('b'.repeat(200));
  });

  it('characters are counted as people see them, and an emoji is never cut in half', () => {
    const name = safeFileName(`${'😀'.repeat(30)}.png`);
    expect(name).toBe(`${'😀'.repeat(30)}.png`);
    // 30 emoji are 60 UTF-16 units and 120 bytes: still short.
    const long = safeFileName('😀'.repeat(300));
    expect(long.length % 2).toBe(0);
    expect([...long].every((c) => c === '😀')).toBe(true);
  });

  it('a name cut short never ends in a dot or a space', () => {
    expect(safeFileName(`${'x'.repeat(199)}.${'y'.repeat(50)}`)).toBe('x'.repeat(199));
    expect(safeFileName(`${'x'.repeat(198)}  ${'y'.repeat(50)}`)).toBe('x'.repeat(198));
  });

  it.each([
    ['ASCII', 'a'.repeat(400)],
    ['accented letters (2 bytes each)', 'é'.repeat(400)],
    ['Japanese (3 bytes each)', 'ファイル名'.repeat(60)],
    ['emoji (4 bytes each)', '😀'.repeat(300)],
  ])('a long name in %s still fits in a file offer, cut at a whole character', (_, long) => {
    const name = safeFileName(long);
    const bytes = utf8.encode(name).length;
    expect(bytes).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(characters(name)).toBeLessThanOrEqual(200);
    // Cut at a character, never in one: every character of the result is one of the original's.
    expect(long.startsWith(name)).toBe(true);
    expect(() =>
      encodeFrame({
        kind: 'file-offer',
        id: new Uint8Array(16),
        size: 1,
        pieceBytes: MIN_PIECE_BYTES,
        pieces: 1,
        root: new Uint8Array(32),
        type: '',
        name,
      }),
    ).not.toThrow();
  });

  it('a name of 85 Japanese characters (255 bytes) is kept whole', () => {
    const name = 'あ'.repeat(85);
    expect(safeFileName(name)).toBe(name);
  });

  it('what it returns is already safe: a second pass changes nothing', () => {
    for (const name of ['a/b/../c.txt', ' .x. ', 'CON', '\u202Eexe.txt', '😀'.repeat(300), 'ファイル'.repeat(90)]) {
      const once = safeFileName(name);
      expect(safeFileName(once)).toBe(once);
    }
  });
});
