import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useRef, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { CredentialsDialog } from '@/components/ui/credentials-dialog';
import { Dialog } from '@/components/ui/dialog';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import type { User } from '@/lib/api/client';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { grantableRoles, isStaff, policies, ROLE_NAMES } from '@/lib/authorization';
import { applyServerErrors, fieldErrors } from '@/lib/form-errors';
import { tokenStore } from '@/lib/token-store';
import { useCreateUser } from '../api/create-user';
import type { ManagedUser } from '../api/list-users';
import { usePermissionCatalogue } from '../api/list-permissions';
import { useUpdateUser } from '../api/update-user';
import {
  editValues,
  generatePassword,
  isClientRole,
  toCreateBody,
  toUpdateBody,
  USER_FORM_FIELDS,
  userFormSchema,
  type UserFormValues,
} from '../user-form-schema';
import { ClientField } from './client-field';
import { ModulesField } from './modules-field';
import { PermissionPicker } from './permission-picker';

export interface UserFormProps {
  caller: User;
  /** The user being edited; none to create one. */
  user?: ManagedUser;
  /** Sends the form; throws the API's error, whose `details` land beside the fields. */
  onSubmit: (values: UserFormValues, chooseCompany: boolean) => Promise<unknown>;
  onCancel: () => void;
}

/**
 * Every field the API takes for a user: name, username, e-mail, role, client,
 * active, modules, and on create a password and permissions. Checked with the
 * API's rules; what the caller may not give is not offered.
 */
export function UserForm({ caller, user, onSubmit, onCancel }: UserFormProps) {
  const creating = user === undefined;
  const staff = isStaff(caller);
  const own = user?.id === caller.id;
  const notify = useNotify();
  const catalogue = usePermissionCatalogue();
  const schema = useMemo(() => userFormSchema({ creating, chooseCompany: staff }), [creating, staff]);
  const roles = grantableRoles(caller);
  const { register, handleSubmit, setError, formState, control, setValue } = useForm<UserFormValues>({
    defaultValues: user
      ? editValues(user)
      : {
          name: '',
          username: '',
          email: '',
          role: 'user',
          companyId: staff ? '' : String(caller.companyId ?? ''),
          isActive: true,
          modulesMode: 'all',
          modules: [],
          password: '',
          permissions: [],
        },
    resolver: zodResolver(schema),
  });
  const { errors, isSubmitting } = formState;
  const [role, companyId, modulesMode, modules, permissions] = useWatch({
    control,
    name: ['role', 'companyId', 'modulesMode', 'modules', 'permissions'],
  });
  const clientRole = isClientRole(role);
  const company = clientRole && /^\d+$/.test(companyId) ? Number(companyId) : null;
  const [passwordShown, setPasswordShown] = useState(false);

  const submit = handleSubmit(async (values) => {
    try {
      await onSubmit(values, staff);
    } catch (error) {
      if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
      const others = applyServerErrors(error, USER_FORM_FIELDS, setError);
      notify({ variant: 'error', title: creating ? 'User not created' : 'User not saved', message: errorMessage(error), details: others });
    }
  });

  const roleOptions = (roles.includes(role) ? roles : [role, ...roles]).map((r) => ({ value: r, label: ROLE_NAMES[r] }));
  const ownReason = 'You cannot change your own role, company or status.';

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="user-form">
      <div className="form__grid">
        <TextField label="Name" required autoComplete="off" errors={fieldErrors(errors.name?.message)} {...register('name')} />
        <TextField
          label="Username"
          required
          autoComplete="off"
          hint="3–64 letters, digits, '.', '_' or '-'; unique."
          errors={fieldErrors(errors.username?.message)}
          {...register('username')}
        />
        <TextField
          label="E-mail"
          type="email"
          autoComplete="off"
          hint="Optional; unique within the client."
          errors={fieldErrors(errors.email?.message)}
          {...register('email')}
        />
        <SelectField
          label="Role"
          options={roleOptions}
          disabled={own}
          hint={own ? ownReason : staff && caller.role !== 'super_admin' ? "Only a super admin appoints the operator's staff." : undefined}
          errors={fieldErrors(errors.role?.message)}
          {...register('role', {
            onChange: (e: { target: { value: string } }) => {
              if (!isClientRole(e.target.value as UserFormValues['role'])) setValue('companyId', '');
            },
          })}
        />
        {staff && clientRole && (
          <div className="form__wide">
            <ClientField
              value={companyId}
              onChange={(id) => setValue('companyId', id, { shouldValidate: formState.isSubmitted })}
              canList={policies.viewClients(caller)}
              errors={fieldErrors(errors.companyId?.message)}
              disabled={own}
              required
            />
          </div>
        )}
        {staff && !clientRole && <p className="muted small form__wide">Operator staff belong to no client.</p>}
        {creating && (
          <div className="form__wide password-field">
            <TextField
              label="Password"
              type={passwordShown ? 'text' : 'password'}
              required
              autoComplete="new-password"
              hint="8–128 characters, not a common password. The user must change it at first sign-in."
              errors={fieldErrors(errors.password?.message)}
              {...register('password')}
            />
            <div className="password-field__actions">
              <Button
                variant="secondary"
                className="button--small"
                onClick={() => {
                  setValue('password', generatePassword(), { shouldValidate: formState.isSubmitted });
                  setPasswordShown(true);
                }}
                data-testid="generate-password"
              >
                Generate
              </Button>
              <Button variant="ghost" className="button--small" onClick={() => setPasswordShown((s) => !s)} aria-pressed={passwordShown}>
                {passwordShown ? 'Hide' : 'Show'}
              </Button>
            </div>
          </div>
        )}
        <label className="check-row form__wide">
          <input type="checkbox" disabled={own} {...register('isActive')} data-testid="input-isActive" />
          <span>Active: may sign in{own ? ` (${ownReason})` : ''}</span>
        </label>
      </div>
      {clientRole && (
        <ModulesField
          companyId={company}
          mode={modulesMode}
          modules={modules}
          onChange={(next) => {
            setValue('modulesMode', next.mode, { shouldDirty: true });
            setValue('modules', next.modules, { shouldDirty: true });
          }}
          errors={fieldErrors(errors.modules?.message)}
        />
      )}
      {creating && (
        <fieldset className="form__section">
          <legend className="form__legend">Permissions</legend>
          {catalogue.data ? (
            <PermissionPicker
              catalogue={catalogue.data}
              caller={caller}
              targetRole={role}
              value={permissions}
              onChange={(next) => setValue('permissions', next, { shouldDirty: true })}
            />
          ) : (
            <p className="muted small">{catalogue.isError ? 'The permission catalogue could not be loaded.' : 'Loading the permission catalogue…'}</p>
          )}
          {errors.permissions?.message && <p className="field__errors">{errors.permissions.message}</p>}
        </fieldset>
      )}
      <div className="form__actions">
        <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" loading={isSubmitting} data-testid="user-form-submit">
          {creating ? 'Create user' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}

/** "New user": the create modal, then the password the user was given, to hand over once. */
export function CreateUserButton({ caller }: { caller: User }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ user: ManagedUser; password: string } | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const create = useCreateUser();
  return (
    <>
      <Button ref={opener} onClick={() => setOpen(true)} data-testid="create-user">
        New user
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title="New user" size="wide" testId="create-user-dialog">
        <UserForm
          caller={caller}
          onCancel={() => setOpen(false)}
          onSubmit={async (values, chooseCompany) => {
            const user = await create.mutateAsync(toCreateBody(values, chooseCompany));
            setOpen(false);
            setCreated({ user, password: values.password });
          }}
        />
      </Dialog>
      {created && (
        <CredentialsDialog
          title="User created"
          subject={`${created.user.name} (@${created.user.username})`}
          credentials={{ username: created.user.username, password: created.password, loginUrl: `${window.location.origin}/login` }}
          onClose={() => setCreated(null)}
          returnFocus={opener}
        />
      )}
    </>
  );
}

/** "Edit": the edit modal for a user the caller may change. */
export function EditUserButton({ caller, user }: { caller: User; user: ManagedUser }) {
  const [open, setOpen] = useState(false);
  const update = useUpdateUser(user.id);
  const toast = useToast();
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} data-testid="edit-user">
        Edit
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title={`Edit ${user.name}`} size="wide" testId="edit-user-dialog">
        <UserForm
          key={user.updatedAt}
          caller={caller}
          user={user}
          onCancel={() => setOpen(false)}
          onSubmit={async (values, chooseCompany) => {
            const body = toUpdateBody(values, user, chooseCompany);
            if (Object.keys(body).length > 0) await update.mutateAsync(body);
            setOpen(false);
            toast({ title: Object.keys(body).length > 0 ? 'User saved' : 'Nothing changed' });
          }}
        />
      </Dialog>
    </>
  );
}
