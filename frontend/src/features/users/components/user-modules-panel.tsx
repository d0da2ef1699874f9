import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage } from '@/lib/api/errors';
import type { ManagedUser } from '../api/list-users';
import { useUpdateUser } from '../api/update-user';
import { ModulesField } from './modules-field';

/** A client user's modules: shown to all, changed by those who may manage it. */
export function UserModulesPanel({ user, readOnlyReason }: { user: ManagedUser; readOnlyReason: string | null }) {
  const [mode, setMode] = useState<'all' | 'chosen'>('chosen');
  const [modules, setModules] = useState<string[]>(user.modules);
  const update = useUpdateUser(user.id);
  const notify = useNotify();
  const toast = useToast();
  const dirty = mode === 'all' || modules.length !== user.modules.length || modules.some((m) => !user.modules.includes(m));

  const save = () => {
    update.mutate(
      { modules: mode === 'all' ? null : modules },
      {
        onSuccess: (saved) => {
          setMode('chosen');
          setModules(saved.modules);
          toast({ title: 'Modules saved', description: saved.modules.length ? saved.modules.join(', ') : 'No module.' });
        },
        onError: (error) => notify({ variant: 'error', title: 'Modules not saved', message: errorMessage(error), retry: save }),
      },
    );
  };

  return (
    <section aria-labelledby="user-modules-title" data-testid="user-modules-panel">
      <h2 id="user-modules-title" className="card__title">
        Modules
      </h2>
      {user.companyId == null ? (
        <p className="muted">The operator's staff have no modules.</p>
      ) : readOnlyReason ? (
        <>
          <p className="chips-line" data-testid="user-modules">
            {user.modules.length ? user.modules.map((m) => <span key={m} className="chip mono">{m}</span>) : <span className="muted">No module.</span>}
          </p>
          <p className="muted small">{readOnlyReason}</p>
        </>
      ) : (
        <>
          <ModulesField
            companyId={user.companyId}
            mode={mode}
            modules={modules}
            onChange={(next) => {
              setMode(next.mode);
              setModules(next.modules);
            }}
            disabled={update.isPending}
            legendHidden
          />
          <div className="form__actions">
            <Button
              variant="secondary"
              disabled={!dirty || update.isPending}
              onClick={() => {
                setMode('chosen');
                setModules(user.modules);
              }}
            >
              Undo changes
            </Button>
            <Button onClick={save} loading={update.isPending} disabled={!dirty} data-testid="user-modules-save">
              Save modules
            </Button>
          </div>
        </>
      )}
    </section>
  );
}
