import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CredentialsDialog } from '@/components/ui/credentials-dialog';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { ApiError, errorMessage } from '@/lib/api/errors';
import type { ManagedUser } from '../api/list-users';
import { useResetUserPassword, type UserPasswordReset } from '../api/reset-user-password';
import { useUpdateUser } from '../api/update-user';

/**
 * Reset the password and activate/deactivate, each behind a confirmation.
 * Deleting users is disabled by the API (seed 003): deactivation takes its place.
 */
export function UserActions({ user, canReset, canToggle }: { user: ManagedUser; canReset: boolean; canToggle: boolean }) {
  const [asking, setAsking] = useState<'toggle' | 'reset' | null>(null);
  const [reset, setReset] = useState<UserPasswordReset | null>(null);
  const update = useUpdateUser(user.id);
  const resetPassword = useResetUserPassword(user.id);
  const notify = useNotify();
  const toast = useToast();
  const resetButton = useRef<HTMLButtonElement>(null);

  const doToggle = () => {
    update.mutate(
      { isActive: !user.isActive },
      {
        onSuccess: (saved) => {
          setAsking(null);
          toast({ title: saved.isActive ? `${saved.name} reactivated` : `${saved.name} deactivated` });
        },
        onError: (error) => {
          setAsking(null);
          notify({ variant: 'error', title: user.isActive ? 'User not deactivated' : 'User not reactivated', message: errorMessage(error), retry: doToggle });
        },
      },
    );
  };

  const doReset = () => {
    resetPassword.mutate(undefined, {
      onSuccess: (result) => {
        setAsking(null);
        setReset(result);
      },
      onError: (error) => {
        setAsking(null);
        let message = errorMessage(error);
        if (error instanceof ApiError && error.retryAfter !== null) message += ` Try again in ${error.retryAfter} seconds.`;
        notify({ variant: 'error', title: 'Password not reset', message, retry: doReset });
      },
    });
  };

  if (!canReset && !canToggle) return null;
  return (
    <>
      {canReset && (
        <Button ref={resetButton} variant="secondary" onClick={() => setAsking('reset')} data-testid="reset-user-password">
          Reset password
        </Button>
      )}
      {canToggle && (
        <Button variant={user.isActive ? 'danger' : 'primary'} onClick={() => setAsking('toggle')} data-testid="toggle-user-status">
          {user.isActive ? 'Deactivate' : 'Reactivate'}
        </Button>
      )}
      <ConfirmDialog
        open={asking === 'toggle'}
        onOpenChange={(open) => setAsking(open ? 'toggle' : null)}
        title={user.isActive ? `Deactivate ${user.name}?` : `Reactivate ${user.name}?`}
        confirmLabel={user.isActive ? 'Deactivate' : 'Reactivate'}
        tone={user.isActive ? 'danger' : 'primary'}
        loading={update.isPending}
        onConfirm={doToggle}
        testId="confirm-user-toggle"
      >
        {user.isActive ? (
          <p>
            <strong>@{user.username}</strong> is signed out at once and cannot sign in until reactivated. Users are never deleted:
            the account and its history stay.
          </p>
        ) : (
          <p>
            <strong>@{user.username}</strong> will be able to sign in again.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'reset'}
        onOpenChange={(open) => setAsking(open ? 'reset' : null)}
        title={`Reset the password of ${user.name}?`}
        confirmLabel="Reset password"
        tone="danger"
        loading={resetPassword.isPending}
        onConfirm={doReset}
        testId="confirm-user-reset"
      >
        <p>
          A new password is generated for <strong>@{user.username}</strong> and shown once. The old one stops working and the
          user's sessions end; it must choose a new password at the next sign-in.
        </p>
      </ConfirmDialog>
      {reset && (
        <CredentialsDialog
          title="New password"
          subject={`${reset.user.name} (@${reset.user.username})`}
          credentials={reset.credentials}
          onClose={() => setReset(null)}
          returnFocus={resetButton}
        />
      )}
    </>
  );
}
