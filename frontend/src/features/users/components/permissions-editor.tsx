import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/ui/button';
import { LoadingBlock } from '@/components/ui/loading-block';
import { QueryError } from '@/components/ui/query-error';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import type { User } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { permissionsEditBlock } from '@/lib/authorization';
import { useAddUserPermissions } from '../api/add-user-permissions';
import { useUserPermissions, type UserPermissions } from '../api/get-user-permissions';
import type { ManagedUser } from '../api/list-users';
import { usePermissionCatalogue } from '../api/list-permissions';
import { useReplaceUserPermissions } from '../api/replace-user-permissions';
import { PermissionPicker } from './permission-picker';

type Mode = 'replace' | 'add';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x) => b.includes(x));

/** What the API answered: its message, the permissions with their details, and what was added. */
function Outcome({ result }: { result: UserPermissions }) {
  return (
    <div className="callout callout--info perm-result" role="status" data-testid="permissions-result">
      <div>
        <p className="callout__title">{result.message ?? 'Permissions'}</p>
        {result.addedPermissions && (
          <p data-testid="permissions-added">
            Added: {result.addedPermissions.length ? result.addedPermissions.join(', ') : 'nothing new'}
          </p>
        )}
        <ul className="chips" aria-label="Permissions now held" data-testid="permission-details">
          {result.permissionDetails.length === 0 ? (
            <li className="muted">No permissions.</li>
          ) : (
            result.permissionDetails.map((d) => (
              <li key={d.id} className="chip" data-valid={d.valid}>
                <span className="chip__id">{d.id}</span> {d.name}
                {!d.valid && ' (unknown)'}
              </li>
            ))
          )}
        </ul>
      </div>
    </div>
  );
}

function Editor({
  caller,
  user,
  current,
  ownerId,
  onResult,
}: {
  caller: User;
  user: ManagedUser;
  current: UserPermissions;
  ownerId: number | null;
  onResult: (result: UserPermissions) => void;
}) {
  const catalogue = usePermissionCatalogue();
  const [mode, setMode] = useState<Mode>('replace');
  const [chosen, setChosen] = useState<number[]>(current.permissions);
  const replace = useReplaceUserPermissions(user.id);
  const add = useAddUserPermissions(user.id);
  const notify = useNotify();
  const toast = useToast();
  const block = permissionsEditBlock(caller, user, ownerId);
  const pending = replace.isPending || add.isPending;

  if (catalogue.isPending) return <LoadingBlock label="Loading the permission catalogue" />;
  if (catalogue.isError) {
    return <QueryError what="the permission catalogue" error={catalogue.error} onRetry={() => void catalogue.refetch()} retrying={catalogue.isFetching} />;
  }

  const switchMode = (next: Mode) => {
    setMode(next);
    setChosen(next === 'replace' ? current.permissions : []);
  };
  const dirty = mode === 'replace' ? !same(chosen, current.permissions) : chosen.length > 0;

  const submit = (event?: SubmitEvent<HTMLFormElement>) => {
    event?.preventDefault();
    const mutation = mode === 'replace' ? replace : add;
    mutation.mutate(chosen, {
      onSuccess: (answer) => {
        setMode('replace');
        setChosen(answer.permissions);
        onResult(answer);
        toast({ title: answer.message ?? 'Permissions saved' });
      },
      onError: (error) => notify({ variant: 'error', title: 'Permissions not changed', message: errorMessage(error), retry: () => submit() }),
    });
  };

  return (
    <form onSubmit={submit} data-testid="permissions-form" aria-label={`Permissions of ${user.name}`}>
      {block ? (
        <p className="callout callout--info" role="note" data-testid="permissions-readonly">
          {block}
        </p>
      ) : (
        <fieldset className="segmented" data-testid="permissions-mode">
          <legend className="visually-hidden">How to change the permissions</legend>
          {(
            [
              ['replace', 'Replace', 'The ticked permissions become all the user holds (PUT).'],
              ['add', 'Add', 'The ticked permissions are added to those it holds (POST).'],
            ] as const
          ).map(([value, label, hint]) => (
            <label key={value} className="segmented__option" title={hint}>
              <input
                type="radio"
                name="permissions-mode"
                value={value}
                checked={mode === value}
                onChange={() => switchMode(value)}
                disabled={pending}
                data-testid={`permissions-mode-${value}`}
              />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
      )}
      {!block && (
        <p className="muted small perm-mode-hint">
          {mode === 'replace'
            ? 'Replace: the ticked permissions become all the user holds.'
            : 'Add: tick the permissions to add; those it holds stay.'}
        </p>
      )}
      <PermissionPicker
        catalogue={catalogue.data}
        caller={caller}
        targetRole={user.role}
        value={chosen}
        onChange={setChosen}
        locked={mode === 'add' ? current.permissions : []}
        readOnlyReason={block}
        disabled={pending}
      />
      {!block && (
        <div className="form__actions">
          <Button variant="secondary" disabled={!dirty || pending} onClick={() => switchMode(mode)}>
            Undo changes
          </Button>
          <Button type="submit" loading={pending} disabled={!dirty} data-testid="permissions-save">
            {mode === 'replace' ? 'Replace permissions' : 'Add permissions'}
          </Button>
        </div>
      )}
    </form>
  );
}

/** A user's permissions: the catalogue by area, replace or add, and the API's answer. */
export function PermissionsPanel({ caller, user, ownerId }: { caller: User; user: ManagedUser; ownerId: number | null }) {
  const permissions = useUserPermissions(user.id);
  const [result, setResult] = useState<UserPermissions | null>(null);
  return (
    <section aria-labelledby="user-permissions-title" data-testid="user-permissions-panel">
      <h2 id="user-permissions-title" className="card__title">
        Permissions
      </h2>
      {permissions.isPending ? (
        <LoadingBlock label="Loading the permissions" />
      ) : permissions.isError ? (
        <QueryError what="the permissions" error={permissions.error} onRetry={() => void permissions.refetch()} retrying={permissions.isFetching} />
      ) : (
        <Editor
          key={permissions.data.permissions.join()}
          caller={caller}
          user={user}
          current={permissions.data}
          ownerId={ownerId}
          onResult={setResult}
        />
      )}
      {result && <Outcome result={result} />}
    </section>
  );
}
