import { PageHeader } from '@/components/ui/page-header';
import { ModulesCatalogue, NewModuleButton } from '@/features/modules/components/modules-catalogue';
import { policies } from '@/lib/authorization';
import { useCurrentUser } from '../current-user';

/** `/modules`: the catalogue of product modules; staff holding System Administration add to it. */
export function ModulesRoute() {
  const user = useCurrentUser();
  const canCreate = policies.createModules(user);
  return (
    <div data-testid="modules-page">
      <PageHeader title="Modules" actions={canCreate && <NewModuleButton />}>
        <p className="muted">
          The product modules clients may be given. {canCreate ? '' : 'Adding one needs the System Administration permission (60).'}
        </p>
      </PageHeader>
      <section className="card card--flush">
        <ModulesCatalogue />
      </section>
    </div>
  );
}
