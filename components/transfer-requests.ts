import type { PopupRequests } from '@/lib/platform/popup-connection';
import type { TransferActions } from './TransferCard';

/** What a transfer card's buttons ask the background. */
export function transferRequests(request: PopupRequests): TransferActions {
  return {
    answer: (transferId, accept) => request('answerFile', { transferId, accept }),
    cancel: (transferId) => request('cancelFile', { transferId }),
    save: (transferId) => request('saveFile', { transferId }),
    // The agent forgets a finished transfer when it is cancelled.
    remove: (transferId) => request('cancelFile', { transferId }),
  };
}
