import { useId, useState, type RefObject } from 'react';
import { ConfirmDialog } from './confirm-dialog';
import { CopyButton } from './copy-button';
import { Dialog } from './dialog';
import type { Schemas } from '@/lib/api/client';

export type Credentials = Schemas['Credentials'];
export type ShareMessage = Schemas['ShareMessage'];

export interface CredentialsDialogProps {
  title: string;
  /** Who the credentials are for, e.g. "ABC Store's owner". */
  subject: string;
  credentials: Credentials;
  /** The API's ready-to-send message and its links (clients only). */
  share?: ShareMessage | undefined;
  onClose: () => void;
  /** Focus goes back here afterwards (the dialog that led here may be gone). */
  returnFocus?: RefObject<HTMLElement | null>;
}

function CredentialRow({ label, value, name }: { label: string; value: string; name: string }) {
  const id = useId();
  return (
    <div className="credential">
      <dt id={id} className="credential__label">
        {label}
      </dt>
      <dd className="credential__value">
        <code aria-labelledby={id} data-testid={`credential-${name}`}>
          {value}
        </code>
        <CopyButton value={value} label={label} testId={`copy-${name}`} />
      </dd>
    </div>
  );
}

/**
 * One-time credentials (after creating a client, resetting its password, or
 * adding a user): each with a copy button, the API's share message with its
 * WhatsApp and e-mail links, a clear "shown once" notice, and a confirmation
 * before it closes, since nothing can show the password again.
 */
export function CredentialsDialog({ title, subject, credentials, share, onClose, returnFocus }: CredentialsDialogProps) {
  const [confirming, setConfirming] = useState(false);
  const shareId = useId();
  return (
    <>
      <Dialog
        open
        onOpenChange={(open) => {
          if (!open) setConfirming(true);
        }}
        onDismissAttempt={() => setConfirming(true)}
        title={title}
        description={`Login details for ${subject}.`}
        testId="credentials-dialog"
        returnFocus={returnFocus}
      >
        <div className="callout callout--warning" role="note" data-testid="shown-once">
          <p className="callout__title">Shown once</p>
          <p>
            The password cannot be shown again, by anyone. Copy it or send it now; if it is lost, reset the password.
          </p>
        </div>
        <dl className="credentials">
          <CredentialRow label="Username" value={credentials.username} name="username" />
          <CredentialRow label="Password" value={credentials.password} name="password" />
          <CredentialRow label="Login URL" value={credentials.loginUrl} name="login-url" />
        </dl>
        {share && (
          <section className="share" aria-labelledby={shareId}>
            <div className="share__head">
              <h3 id={shareId} className="share__title">
                Message to send
              </h3>
              <CopyButton value={share.text} label="Message" testId="copy-share" />
            </div>
            <textarea
              className="field__input share__text"
              readOnly
              rows={6}
              value={share.text}
              aria-labelledby={shareId}
              data-testid="share-text"
            />
            <div className="share__actions">
              {share.whatsappUrl ? (
                <a
                  className="button button--whatsapp"
                  href={share.whatsappUrl}
                  target="_blank"
                  rel="noopener noreferrer"
                  data-testid="share-whatsapp"
                >
                  Send on WhatsApp
                </a>
              ) : (
                <span className="muted share__none" data-testid="share-whatsapp-missing">
                  No WhatsApp number: add one to the client to send it there.
                </span>
              )}
              <a className="button button--secondary" href={share.mailtoUrl} data-testid="share-email">
                Send by e-mail
              </a>
            </div>
          </section>
        )}
        <div className="form__actions">
          <button type="button" className="button button--primary" onClick={() => setConfirming(true)} data-testid="credentials-done">
            Done
          </button>
        </div>
      </Dialog>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Close the credentials?"
        confirmLabel="Close, I have saved them"
        cancelLabel="Keep them open"
        tone="danger"
        onConfirm={onClose}
        testId="credentials-confirm-close"
      >
        <p>The password will not be shown again. Make sure it has been copied or sent.</p>
      </ConfirmDialog>
    </>
  );
}
