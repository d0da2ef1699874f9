import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { ApiError, errorMessage, isEndedSession } from '@/lib/api/errors';
import { passwordLengthRule } from '@/lib/field-rules';
import { tokenStore } from '@/lib/token-store';
import { useChangePassword } from '../api/change-password';
import { passwordChecks, type Check } from '../password-checks';

const MARK: Record<Check, string> = { ok: '✓', bad: '✗', pending: '•' };
const SAID: Record<Check, string> = { ok: 'met', bad: 'not met', pending: 'not checked yet' };

export function ChangePasswordForm({ onChanged, autoFocus = true }: { onChanged?: () => void; autoFocus?: boolean }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [refused, setRefused] = useState<{ password: string; message: string } | null>(null);
  const change = useChangePassword();
  const notify = useNotify();
  const serverRefusal = refused && refused.password === newPassword ? refused.message : null;
  const checks = passwordChecks(newPassword, currentPassword, serverRefusal);

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local: Record<string, string[]> = {};
    // The API's own words for its length rule.
    const length = passwordLengthRule(newPassword);
    if (length) local.newPassword = [length];
    else if (newPassword === currentPassword) local.newPassword = ['must differ from the current password'];
    if (confirmPassword !== newPassword) local.confirmPassword = ['does not match the new password'];
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;

    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrentPassword('');
          setNewPassword('');
          setConfirmPassword('');
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
          const aboutNew = details.newPassword?.join('; ');
          if (aboutNew) setRefused({ password: newPassword, message: aboutNew });
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
        autoFocus={autoFocus}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint="See the rules below."
        value={newPassword}
        onChange={(e) => setNewPassword(e.target.value)}
        errors={fieldErrors.newPassword}
        required
      />
      <ul className="rules" aria-label="Password rules" data-testid="password-rules">
        {checks.map((c) => (
          <li key={c.id} className={`rules__item rules__item--${c.state}`} data-testid={`rule-${c.id}`} data-state={c.state}>
            <span aria-hidden="true" className="rules__mark">
              {MARK[c.state]}
            </span>{' '}
            {c.label}
            <span className="visually-hidden"> ({SAID[c.state]})</span>
          </li>
        ))}
      </ul>
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
