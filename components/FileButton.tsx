import { useRef } from 'preact/hooks';

/** A paper clip drawn, not an emoji: it must show in a browser without an emoji font. */
const CLIP = (
  <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
    <path
      d="M10.5 4.5 5.2 9.8a1.6 1.6 0 0 0 2.3 2.3l5.6-5.6a3 3 0 0 0-4.3-4.3L3.2 7.8a4.4 4.4 0 0 0 6.2 6.2L14 9.4"
      fill="none"
      stroke="currentColor"
      stroke-width="1.4"
      stroke-linecap="round"
    />
  </svg>
);

/** Chooses files with the system's picker (a hidden file input behind a button). */
export function FileButton({
  onFiles,
  disabled,
  title,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
  title: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="secondary file-button"
        title={title}
        aria-label={title}
        disabled={disabled}
        onClick={() => input.current?.click()}
        data-testid="file-button"
      >
        {CLIP}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          // The same file chosen again is a change too.
          event.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </>
  );
}
