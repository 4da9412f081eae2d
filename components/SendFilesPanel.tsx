import { useState } from 'preact/hooks';
import type { ContactChatView } from '@/lib/agent/chat-snapshot';
import type { FileSender } from '@/lib/platform/file-sender';
import { describeReach } from './describe';
import { ErrorLine } from './ErrorLine';
import { contactName } from './peer-name';
import { useAction } from './use-action';
import './transfers.css';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * "Send a file…" from the contact list: the same files to several contacts, each by their own
 * encrypted transfer. Contacts who are away get theirs when they are back.
 */
export function SendFilesPanel({ contacts, sendFiles }: { contacts: ContactChatView[]; sendFiles: FileSender }) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [files, setFiles] = useState<File[]>([]);
  const [said, setSaid] = useState('');
  const { busy, error, run } = useAction();
  if (contacts.length === 0) return null;

  const close = () => {
    setOpen(false);
    setChosen(new Set());
    setFiles([]);
  };
  const toggle = (key: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(key);
    else next.delete(key);
    setChosen(next);
  };
  const send = () =>
    run(async () => {
      const keys = contacts.map((c) => c.identityKey).filter((key) => chosen.has(key));
      await sendFiles(keys, files);
      setSaid(
        `${count(files.length, 'file', 'files')} offered to ${count(keys.length, 'contact', 'contacts')}: each chat shows how it goes.`,
      );
      close();
    });

  if (!open) {
    return (
      <div class="row between wrap">
        <button
          type="button"
          class="link small"
          onClick={() => {
            setSaid('');
            setOpen(true);
          }}
          data-testid="send-files-open"
        >
          Send a file…
        </button>
        {said && (
          <span class="muted small" role="status" data-testid="send-files-result">
            {said}
          </span>
        )}
      </div>
    );
  }
  const sorted = [...contacts].sort((a, b) => contactName(a).localeCompare(contactName(b)));
  return (
    <form
      class="send-files card"
      data-testid="send-files"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <fieldset>
        <legend class="label">Send to</legend>
        {sorted.map((c) => (
          <label key={c.identityKey} class="small">
            <input
              type="checkbox"
              value={c.identityKey}
              checked={chosen.has(c.identityKey)}
              onChange={(event) => toggle(c.identityKey, event.currentTarget.checked)}
              data-testid="send-files-contact"
            />
            {contactName(c)} <span class="muted">· {describeReach(c.reach)}</span>
          </label>
        ))}
      </fieldset>
      <input
        type="file"
        multiple
        aria-label="Files to send"
        onChange={(event) => setFiles(Array.from(event.currentTarget.files ?? []))}
        data-testid="send-files-input"
      />
      <div class="row">
        <button
          type="submit"
          disabled={busy || chosen.size === 0 || files.length === 0}
          data-testid="send-files-submit"
        >
          {busy ? 'Adding…' : 'Send'}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={close}>
          Cancel
        </button>
      </div>
      {busy && (
        <p class="muted small" role="status">
          Adding files… keep this open until they are offered.
        </p>
      )}
      <ErrorLine error={error} testId="send-files-error" />
    </form>
  );
}
