import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { ApiError, errorMessage } from '@/lib/api/errors';
import type { ClientCredentialsResponse } from '../api/create-client';
import type { Client } from '../api/get-client';
import { useResetClientPassword } from '../api/reset-client-password';
import { useToggleClientStatus } from '../api/toggle-client-status';
import { CredentialsDialog } from '@/components/ui/credentials-dialog';

/** Activate/deactivate and reset the owner's password, each behind a confirmation. */
export function ClientActions({ client, canToggle, canReset }: { client: Client; canToggle: boolean; canReset: boolean }) {
  const [asking, setAsking] = useState<'toggle' | 'reset' | null>(null);
  const [credentials, setCredentials] = useState<ClientCredentialsResponse | null>(null);
  const toggle = useToggleClientStatus(client.id);
  const reset = useResetClientPassword(client.id);
  const notify = useNotify();
  const toast = useToast();
  const resetButton = useRef<HTMLButtonElement>(null);
  const name = client.companyName;

  const doToggle = () => {
    toggle.mutate(undefined, {
      onSuccess: (updated) => {
        setAsking(null);
        toast({ title: updated.isActive ? `${name} reactivated` : `${name} deactivated` });
      },
      onError: (error) => {
        setAsking(null);
        notify({
          variant: 'error',
          title: client.isActive ? 'Client not deactivated' : 'Client not reactivated',
          message: errorMessage(error),
          retry: doToggle,
        });
      },
    });
  };

  const doReset = () => {
    reset.mutate(undefined, {
      onSuccess: (result) => {
        setAsking(null);
        setCredentials(result);
      },
      onError: (error) => {
        setAsking(null);
        let message = errorMessage(error);
        if (error instanceof ApiError && error.retryAfter !== null) message += ` Try again in ${error.retryAfter} seconds.`;
        notify({ variant: 'error', title: 'Password not reset', message, retry: doReset });
      },
    });
  };

  if (!canToggle && !canReset) return null;
  return (
    <>
      {canReset && (
        <Button ref={resetButton} variant="secondary" onClick={() => setAsking('reset')} data-testid="reset-password">
          Reset password
        </Button>
      )}
      {canToggle && (
        <Button
          variant={client.isActive ? 'danger' : 'primary'}
          onClick={() => setAsking('toggle')}
          data-testid="toggle-status"
        >
          {client.isActive ? 'Deactivate' : 'Activate'}
        </Button>
      )}
      <ConfirmDialog
        open={asking === 'toggle'}
        onOpenChange={(open) => setAsking(open ? 'toggle' : null)}
        title={client.isActive ? `Deactivate ${name}?` : `Reactivate ${name}?`}
        confirmLabel={client.isActive ? 'Deactivate' : 'Reactivate'}
        tone={client.isActive ? 'danger' : 'primary'}
        loading={toggle.isPending}
        onConfirm={doToggle}
        testId="confirm-toggle"
      >
        {client.isActive ? (
          <p>
            Every user of {name} is signed out at once and cannot sign in until the client is reactivated.
          </p>
        ) : (
          <p>The users of {name} will be able to sign in again.</p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'reset'}
        onOpenChange={(open) => setAsking(open ? 'reset' : null)}
        title={`Reset the password of ${name}'s owner?`}
        confirmLabel="Reset password"
        tone="danger"
        loading={reset.isPending}
        onConfirm={doReset}
        testId="confirm-reset"
      >
        <p>
          A new password is generated for <strong>{client.username ?? 'the owner'}</strong> and shown once. The old one
          stops working and the owner's sessions end; the owner must choose a new password at the next sign-in.
        </p>
      </ConfirmDialog>
      {credentials && (
        <CredentialsDialog
          title="New password"
          subject={`${name} (${client.accountNumber})`}
          credentials={credentials.credentials}
          share={credentials.share}
          onClose={() => setCredentials(null)}
          returnFocus={resetButton}
        />
      )}
    </>
  );
}
