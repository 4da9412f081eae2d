import { useState } from 'preact/hooks';
import { describeError } from './describe';

export interface BackupActions {
  exportBackup(passphrase: string): Promise<{ file: string; name: string }>;
  importBackup(file: string, passphrase: string): Promise<{ contacts: number; messages: number }>;
}

type Status = { tone: 'ok' | 'bad' | 'busy'; text: string } | undefined;

/** Reads a picked file as base64 (messaging to the background is JSON). */
async function fileAsBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function download(base64: string, name: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Moving to a new browser: identity, contacts, settings and history in one encrypted file. */
export function BackupSection({ actions }: { actions: BackupActions }) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [importPassphrase, setImportPassphrase] = useState('');
  const [picked, setPicked] = useState<File | undefined>();
  const [status, setStatus] = useState<Status>();

  const exportNow = async () => {
    if (passphrase !== repeat) return setStatus({ tone: 'bad', text: 'The two passphrases differ.' });
    setStatus({ tone: 'busy', text: 'Encrypting… (this takes a second on purpose: it slows down guessing)' });
    try {
      const { file, name } = await actions.exportBackup(passphrase);
      download(file, name);
      setStatus({ tone: 'ok', text: `Saved ${name}. Keep it and its passphrase apart.` });
    } catch (error) {
      setStatus({ tone: 'bad', text: describeError(error) });
    }
  };

  const importNow = async () => {
    if (!picked) return setStatus({ tone: 'bad', text: 'Choose a backup file first.' });
    const sure = window.confirm(
      "This replaces this browser's identity, contacts and settings with the backup's, and adds its history.",
    );
    if (!sure) return;
    setStatus({ tone: 'busy', text: 'Decrypting…' });
    try {
      const { contacts, messages } = await actions.importBackup(await fileAsBase64(picked), importPassphrase);
      const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      setStatus({ tone: 'ok', text: `Imported: ${count(contacts, 'contact')}, ${count(messages, 'message')}.` });
    } catch (error) {
      setStatus({ tone: 'bad', text: describeError(error) });
    }
  };

  return (
    <section class="options backup">
      <h2>Backup</h2>
      <fieldset>
        <legend>Export</legend>
        <label>
          Passphrase (at least 8 characters)
          <input
            type="password"
            value={passphrase}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
            data-testid="backup-export-passphrase"
          />
        </label>
        <label>
          The same again
          <input
            type="password"
            value={repeat}
            onInput={(e) => setRepeat(e.currentTarget.value)}
            data-testid="backup-export-repeat"
          />
        </label>
        <button type="button" onClick={() => void exportNow()} data-testid="backup-export">
          Export backup
        </button>
      </fieldset>
      <fieldset>
        <legend>Import</legend>
        <input
          type="file"
          accept=".tincan"
          onChange={(e) => setPicked(e.currentTarget.files?.[0])}
          data-testid="backup-import-file"
        />
        <label>
          Its passphrase
          <input
            type="password"
            value={importPassphrase}
            onInput={(e) => setImportPassphrase(e.currentTarget.value)}
            data-testid="backup-import-passphrase"
          />
        </label>
        <button type="button" class="secondary" onClick={() => void importNow()} data-testid="backup-import">
          Import backup
        </button>
      </fieldset>
      {status && (
        <p class={status.tone} role="status" data-testid="backup-status">
          {status.text}
        </p>
      )}
    </section>
  );
}
