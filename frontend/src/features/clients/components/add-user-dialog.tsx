import { zodResolver } from '@hookform/resolvers/zod';
import { useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { applyServerErrors, fieldErrors } from '@/lib/form-errors';
import { tokenStore } from '@/lib/token-store';
import type { AddClientUserInput, ClientUserCreated } from '../api/add-client-user';
import { ADD_USER_FIELDS, addUserSchema, ROLE_OPTIONS, toAddUserBody, type AddUserValues } from '../add-user-schema';
import { CredentialsDialog } from '@/components/ui/credentials-dialog';

export interface AddUserFormProps {
  /** Sends the user; throws the API's error, whose `details` land beside the fields. */
  onSubmit: (body: AddClientUserInput) => Promise<unknown>;
  onCancel: () => void;
}

/** Name, e-mail and role (user or client admin), checked with the API's rules. */
export function AddUserForm({ onSubmit, onCancel }: AddUserFormProps) {
  const notify = useNotify();
  const { register, handleSubmit, setError, formState } = useForm<AddUserValues>({
    defaultValues: { name: '', email: '', role: 'user' },
    resolver: zodResolver(addUserSchema),
  });
  const { errors, isSubmitting } = formState;

  const submit = handleSubmit(async (values) => {
    try {
      await onSubmit(toAddUserBody(values));
    } catch (error) {
      if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
      const others = applyServerErrors(error, ADD_USER_FIELDS, setError);
      notify({ variant: 'error', title: 'User not added', message: errorMessage(error), details: others });
    }
  });

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="add-user-form">
      <TextField label="Name" required autoComplete="off" errors={fieldErrors(errors.name?.message)} {...register('name')} />
      <TextField
        label="E-mail"
        type="email"
        required
        autoComplete="off"
        hint="Unique within this client."
        errors={fieldErrors(errors.email?.message)}
        {...register('email')}
      />
      <SelectField
        label="Role"
        options={ROLE_OPTIONS}
        hint="A client admin manages the client's users; a user works in the modules."
        errors={fieldErrors(errors.role?.message)}
        {...register('role')}
      />
      <p className="muted small">
        A temporary password is generated and shown once; the user must change it at first sign-in. The user gets all
        of the client's active modules.
      </p>
      <div className="form__actions">
        <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" loading={isSubmitting} data-testid="add-user-submit">
          Add user
        </Button>
      </div>
    </form>
  );
}

/** Seed 000's "Add New User" modal, then the temporary password, shown once. */
export function AddUserButton({
  companyName,
  onAdd,
}: {
  companyName: string;
  onAdd: (body: AddClientUserInput) => Promise<ClientUserCreated>;
}) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<ClientUserCreated | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={opener} onClick={() => setOpen(true)} data-testid="add-user">
        Add user
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title="Add new user" description={`A user of ${companyName}.`} testId="add-user-dialog">
        <AddUserForm
          onCancel={() => setOpen(false)}
          onSubmit={async (body) => {
            const result = await onAdd(body);
            setOpen(false);
            setCreated(result);
          }}
        />
      </Dialog>
      {created && (
        <CredentialsDialog
          title="User added: temporary password"
          subject={`${created.user.name} (${companyName})`}
          credentials={created.credentials}
          onClose={() => setCreated(null)}
          returnFocus={opener}
        />
      )}
    </>
  );
}
