import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { ApiError, errorMessage, isEndedSession } from '@/lib/api/errors';
import { tokenStore } from '@/lib/token-store';
import { useChangePassword } from '../api/change-password';

const MIN_LENGTH = 8;
const MAX_LENGTH = 128;

export function ChangePasswordForm({ onChanged }: { onChanged?: () => void }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const change = useChangePassword();
  const notify = useNotify();

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local: Record<string, string[]> = {};
    // Characters as the API counts them (code points): an emoji is one, not two.
    const length = Array.from(newPassword).length;
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      local.newPassword = [`must be ${MIN_LENGTH}–${MAX_LENGTH} characters`];
    } else if (newPassword === currentPassword) {
      local.newPassword = ['must differ from the current password'];
    }
    if (confirmPassword !== newPassword) local.confirmPassword = ['does not match the new password'];
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;

    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          notify({
            variant: 'success',
            title: 'Password changed',
            message: 'Every other session of yours has been signed out; this one stays open.',
          });
          onChanged?.();
        },
        onError: (error) => {
          if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
          const details = error instanceof ApiError ? error.details : {};
          setFieldErrors(details);
          notify({ variant: 'error', title: 'Password not changed', message: errorMessage(error), details });
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate data-testid="change-password-form">
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
        errors={fieldErrors.currentPassword}
        required
        autoFocus
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={`${MIN_LENGTH}–${MAX_LENGTH} characters; common passwords are refused.`}
        value={newPassword}
        onChange={(e) => setNewPassword(e.target.value)}
        errors={fieldErrors.newPassword}
        required
      />
      <TextField
        label="Confirm new password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        value={confirmPassword}
        onChange={(e) => setConfirmPassword(e.target.value)}
        errors={fieldErrors.confirmPassword}
        required
      />
      <Button
        type="submit"
        className="button--block"
        loading={change.isPending}
        disabled={currentPassword === '' || newPassword === '' || confirmPassword === ''}
        data-testid="change-password-submit"
      >
        Change password
      </Button>
    </form>
  );
}
