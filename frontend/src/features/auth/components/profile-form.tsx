import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import type { User } from '@/lib/api/client';
import { ApiError, errorMessage, isEndedSession } from '@/lib/api/errors';
import { tokenStore } from '@/lib/token-store';
import { useUpdateMe, type UpdateMeInput } from '../api/update-me';

/** Edit one's own name and e-mail address (PUT /api/auth/me). */
export function ProfileForm({ user }: { user: User }) {
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email ?? '');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const update = useUpdateMe();
  const notify = useNotify();

  const changes: UpdateMeInput = {};
  if (name.trim() !== user.name) changes.name = name.trim();
  const trimmedEmail = email.trim();
  if (trimmedEmail !== (user.email ?? '')) changes.email = trimmedEmail === '' ? null : trimmedEmail;
  const dirty = Object.keys(changes).length > 0;

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldErrors({});
    update.mutate(changes, {
      onSuccess: (updated) => {
        setName(updated.name);
        setEmail(updated.email ?? '');
        notify({ variant: 'success', title: 'Profile saved', message: 'Your profile has been updated.' });
      },
      onError: (error) => {
        if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
        const details = error instanceof ApiError ? error.details : {};
        setFieldErrors(details);
        notify({ variant: 'error', title: 'Profile not saved', message: errorMessage(error), details });
      },
    });
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate data-testid="profile-form">
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        errors={fieldErrors.name}
        maxLength={100}
        required
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        hint="Leave empty to remove it."
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        errors={fieldErrors.email}
      />
      <div className="form__actions">
        <Button
          variant="secondary"
          disabled={!dirty || update.isPending}
          onClick={() => {
            setName(user.name);
            setEmail(user.email ?? '');
            setFieldErrors({});
          }}
        >
          Reset
        </Button>
        <Button type="submit" loading={update.isPending} disabled={!dirty} data-testid="profile-save">
          Save changes
        </Button>
      </div>
    </form>
  );
}
