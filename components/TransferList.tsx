import type { TransferView } from '@/lib/transfer/transfer-view';
import { type TransferActions, TransferCard } from './TransferCard';

/** A contact's files, oldest first like the messages above them; nothing when there are none. */
export function TransferList({
  transfers,
  peer,
  actions,
}: {
  transfers: TransferView[];
  peer: string;
  actions: TransferActions;
}) {
  if (transfers.length === 0) return null;
  const oldestFirst = [...transfers].sort((a, b) => a.createdAt - b.createdAt);
  return (
    <ul class="transfers" data-testid="transfers" aria-label="Files">
      {oldestFirst.map((t) => (
        // A file still being read is listed once per contact under one id.
        <TransferCard key={`${t.id}:${t.contactKey}`} transfer={t} peer={peer} actions={actions} />
      ))}
    </ul>
  );
}
