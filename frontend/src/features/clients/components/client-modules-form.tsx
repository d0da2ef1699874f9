import * as Switch from '@radix-ui/react-switch';
import { useState, type SubmitEvent } from 'react';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { LoadingBlock } from '@/components/ui/loading-block';
import { QueryError } from '@/components/ui/query-error';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage } from '@/lib/api/errors';
import { useClientModules } from '../api/get-client-modules';
import { useSetClientModules } from '../api/set-client-modules';

export interface CatalogueModule {
  name: string;
  label: string;
}

function ModulesEditor({
  clientId,
  catalogue,
  active,
  canEdit,
}: {
  clientId: number;
  catalogue: CatalogueModule[];
  active: string[];
  canEdit: boolean;
}) {
  const [chosen, setChosen] = useState(() => new Set(active));
  const save = useSetClientModules(clientId);
  const notify = useNotify();
  const toast = useToast();
  const dirty = chosen.size !== active.length || active.some((m) => !chosen.has(m));

  const submit = (event?: SubmitEvent<HTMLFormElement>) => {
    event?.preventDefault();
    // In catalogue order, so the request reads like the screen.
    const modules = catalogue.map((m) => m.name).filter((name) => chosen.has(name));
    save.mutate(modules, {
      onSuccess: (saved) => {
        setChosen(new Set(saved.modules));
        toast({ title: 'Modules saved', description: saved.modules.length ? `Active: ${saved.modules.join(', ')}.` : 'No module is active.' });
      },
      onError: (error) => notify({ variant: 'error', title: 'Modules not saved', message: errorMessage(error), retry: () => submit() }),
    });
  };

  return (
    <form onSubmit={submit} data-testid="modules-form">
      <ul className="switch-list">
        {catalogue.map((module) => {
          const id = `module-${module.name}`;
          return (
            <li key={module.name} className="switch-list__item">
              <label htmlFor={id} className="switch-list__label">
                <span className="strong">{module.label}</span>
                <span className="muted mono cell-small">{module.name}</span>
              </label>
              <Switch.Root
                id={id}
                className="switch"
                checked={chosen.has(module.name)}
                disabled={!canEdit || save.isPending}
                onCheckedChange={(on) => {
                  setChosen((current) => {
                    const next = new Set(current);
                    if (on) next.add(module.name);
                    else next.delete(module.name);
                    return next;
                  });
                }}
                data-testid={id}
              >
                <Switch.Thumb className="switch__thumb" />
              </Switch.Root>
            </li>
          );
        })}
      </ul>
      {canEdit && (
        <div className="form__actions">
          <Button variant="secondary" disabled={!dirty || save.isPending} onClick={() => setChosen(new Set(active))}>
            Undo changes
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!dirty} data-testid="modules-save">
            Save modules
          </Button>
        </div>
      )}
    </form>
  );
}

/** The catalogue with the client's active modules switched on; saving replaces the set. */
export function ClientModulesPanel({
  clientId,
  catalogue,
  canEdit,
}: {
  clientId: number;
  catalogue: CatalogueModule[];
  canEdit: boolean;
}) {
  const modules = useClientModules(clientId);
  return (
    <section aria-labelledby="client-modules-title" data-testid="client-modules">
      <h2 id="client-modules-title" className="card__title">
        Modules
      </h2>
      <p className="muted section-lead">
        The product modules this client may use. Its users get the active ones unless a user has a choice of its own.
      </p>
      {modules.isPending ? (
        <LoadingBlock label="Loading the client's modules" />
      ) : modules.isError ? (
        <QueryError what="the client's modules" error={modules.error} onRetry={() => void modules.refetch()} retrying={modules.isFetching} />
      ) : catalogue.length === 0 ? (
        <EmptyState title="The module catalogue is empty" />
      ) : (
        <ModulesEditor
          key={modules.data.modules.join()}
          clientId={clientId}
          catalogue={catalogue}
          active={modules.data.modules}
          canEdit={canEdit}
        />
      )}
    </section>
  );
}
