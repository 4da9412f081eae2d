import { useState } from 'preact/hooks';

/** Remove, after an inline confirmation: `confirm()` dialogs are unreliable in extension popups. */
export function RemoveContact({ petname, onRemove }: { petname: string; onRemove: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="link small danger" onClick={() => setAsking(true)} data-testid="contact-remove">
        Remove
      </button>
    );
  }
  return (
    <div class="confirm small">
      <span>
        Remove {petname ? `“${petname}”` : 'this contact'}? Their key is forgotten: next time they connect it is a new
        request.
      </span>
      <div class="row">
        <button type="button" class="danger" onClick={onRemove} data-testid="contact-remove-confirm">
          Remove
        </button>
        <button type="button" class="secondary" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
