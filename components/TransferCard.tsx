import type { TransferView } from '@/lib/transfer/transfer-view';
import { ErrorLine } from './ErrorLine';
import { formatBytes, isFinished, progressLine, showsProgress, statusLine } from './transfer-wording';
import { useAction } from './use-action';
import './transfers.css';

export interface TransferActions {
  answer(transferId: string, accept: boolean): Promise<void>;
  cancel(transferId: string): Promise<void>;
  /** A received file to downloads again. */
  save(transferId: string): Promise<void>;
  /** A finished transfer leaves the list (what arrived stays in downloads). */
  remove(transferId: string): Promise<void>;
}

/** One file on its way, either way: what it is, how far it got, and what can be done with it. */
export function TransferCard({
  transfer: t,
  peer,
  actions,
}: {
  transfer: TransferView;
  /** The contact's name as the chat shows it. */
  peer: string;
  actions: TransferActions;
}) {
  const { busy, error, run } = useAction();
  const status = statusLine(t, peer);
  const incomingOffer = t.direction === 'incoming' && t.status === 'offered';
  // A file still being read has no transfer yet: there is nothing to cancel.
  const cancellable = !isFinished(t.status) && t.status !== 'preparing' && !incomingOffer;
  const unsaved = t.direction === 'incoming' && t.status === 'done' && t.saved === false;
  return (
    <li
      class={`transfer-card ${t.direction}`}
      data-testid="transfer-card"
      data-status={t.status}
      data-transfer-id={t.id}
    >
      <div class="row between">
        <span class="transfer-name" title={t.name}>
          <span class="transfer-way" role="img" aria-label={t.direction === 'outgoing' ? 'To' : 'From'}>
            {t.direction === 'outgoing' ? '↑' : '↓'}
          </span>{' '}
          <span data-testid="transfer-name">{t.name}</span>
        </span>
        <span class="muted small">{formatBytes(t.size)}</span>
      </div>
      {showsProgress(t.status) && (
        <>
          <progress
            max={Math.max(t.size, 1)}
            value={Math.min(t.bytesDone, t.size)}
            aria-label={`${t.name}: ${progressLine(t)}`}
            data-testid="transfer-progress"
          />
          <span class="muted small" data-testid="transfer-numbers">
            {progressLine(t)}
          </span>
        </>
      )}
      <div class="row between wrap">
        <span class={`small transfer-status ${status.tone}`} role="status" data-testid="transfer-status">
          {status.text}
        </span>
        <span class="row tight">
          {incomingOffer && (
            <>
              <button
                type="button"
                class="small"
                disabled={busy}
                onClick={() => run(() => actions.answer(t.id, true))}
                data-testid="transfer-accept"
              >
                Accept
              </button>
              <button
                type="button"
                class="secondary small"
                disabled={busy}
                onClick={() => run(() => actions.answer(t.id, false))}
                data-testid="transfer-decline"
              >
                Decline
              </button>
            </>
          )}
          {unsaved && (
            <button
              type="button"
              class="small"
              disabled={busy}
              onClick={() => run(() => actions.save(t.id))}
              data-testid="transfer-save"
            >
              Save
            </button>
          )}
          {cancellable && (
            <button
              type="button"
              class="secondary small"
              disabled={busy}
              onClick={() => run(() => actions.cancel(t.id))}
              data-testid="transfer-cancel"
            >
              Cancel
            </button>
          )}
          {isFinished(t.status) && (
            <button
              type="button"
              class="link small"
              disabled={busy}
              title="Remove from this list"
              onClick={() => run(() => actions.remove(t.id))}
              data-testid="transfer-remove"
            >
              Remove
            </button>
          )}
        </span>
      </div>
      <ErrorLine error={error} testId="transfer-error" />
    </li>
  );
}
