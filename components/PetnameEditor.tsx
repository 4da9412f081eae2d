import { useState } from 'preact/hooks';
import { describeError } from './describe';
import { ErrorLine } from './ErrorLine';

/** The contact's name as this user chose it; inline rename. */
export function PetnameEditor({
  petname,
  onRename,
}: {
  petname: string;
  onRename: (petname: string) => Promise<void>;
}) {
  const [draft, setDraft] = useState<string | undefined>();
  const [error, setError] = useState('');
  if (draft === undefined) {
    return (
      <span class="row petname">
        <strong data-testid="contact-name">{petname || 'Unnamed'}</strong>
        <button
          type="button"
          class="link small"
          onClick={() => setDraft(petname)}
          aria-label={`Rename ${petname}`}
          data-testid="contact-rename"
        >
          Rename
        </button>
      </span>
    );
  }
  const save = async (event: Event) => {
    event.preventDefault();
    const name = draft.trim();
    if (!name) return;
    setError('');
    try {
      await onRename(name);
      setDraft(undefined);
    } catch (problem) {
      setError(describeError(problem));
    }
  };
  return (
    <form class="petname-form" onSubmit={save}>
      <div class="row">
        <input
          value={draft}
          maxLength={60}
          aria-label="Name for this contact"
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && setDraft(undefined)}
          data-testid="contact-petname-input"
        />
        <button type="submit" disabled={!draft.trim()} data-testid="contact-rename-save">
          Save
        </button>
        <button type="button" class="secondary" onClick={() => setDraft(undefined)}>
          Cancel
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}
