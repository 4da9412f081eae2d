import { CopyButton } from './CopyButton';
import { QrCode } from './QrCode';

/** The invite: this browser's address and key together, so whoever uses it reaches this key only. */
export function InvitePanel({ invite }: { invite: string }) {
  return (
    <div class="invite" data-testid="invite">
      <p class="muted small">
        Give this to someone to connect: it carries your address and your key, so their browser checks it reaches you
        and not an impostor.
      </p>
      <QrCode text={invite} label="Invite QR code" testId="invite-qr" />
      <div class="row">
        <code class="address" data-testid="invite-text">
          {invite}
        </code>
        <CopyButton text={invite} testId="copy-invite" />
      </div>
    </div>
  );
}
