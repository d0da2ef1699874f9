import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { dataTableColumnHelper } from '@/components/ui/data-table-columns';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { QueryError } from '@/components/ui/query-error';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { moduleNameRule, textRule, type Rule } from '@/lib/field-rules';
import { applyServerErrors, fieldErrors } from '@/lib/form-errors';
import { formatDateTime } from '@/lib/format';
import { tokenStore } from '@/lib/token-store';
import { useCreateModule, type NewModuleInput } from '../api/create-module';
import { useModules, type Module } from '../api/list-modules';

const column = dataTableColumnHelper<Module>();
const columns = column.columns([
  column.accessor('label', { header: 'Module', cell: (info) => <span className="strong">{info.getValue()}</span> }),
  column.accessor('name', { header: 'Name', cell: (info) => <span className="mono" data-testid="module-name">{info.getValue()}</span> }),
  column.accessor('createdAt', { header: 'Added', meta: { className: 'hide-narrow' }, cell: (info) => formatDateTime(info.getValue()) }),
]);

const checked = (rule: Rule) =>
  z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** The API's rules: a name of 2–50 lower-case letters, digits or `_`; a label of 1–100 characters. */
const schema = z.object({ name: checked(moduleNameRule), label: checked(textRule(1, 100)) }) satisfies z.ZodType<NewModuleInput>;

function NewModuleForm({ onDone }: { onDone: () => void }) {
  const create = useCreateModule();
  const notify = useNotify();
  const toast = useToast();
  const { register, handleSubmit, setError, formState } = useForm<NewModuleInput>({ defaultValues: { name: '', label: '' }, resolver: zodResolver(schema) });
  const submit = handleSubmit(async (values) => {
    try {
      const module = await create.mutateAsync({ name: values.name.trim(), label: values.label.trim() });
      toast({ title: `Module ${module.label} added` });
      onDone();
    } catch (error) {
      if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
      const others = applyServerErrors(error, ['name', 'label'], setError);
      notify({ variant: 'error', title: 'Module not added', message: errorMessage(error), details: others });
    }
  });
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="module-form">
      <TextField label="Name" required autoComplete="off" hint="2–50 lower-case letters, digits or '_', starting with a letter; fixed once added." errors={fieldErrors(formState.errors.name?.message)} {...register('name')} />
      <TextField label="Label" required autoComplete="off" hint="What people see, e.g. Payroll." errors={fieldErrors(formState.errors.label?.message)} {...register('label')} />
      <div className="form__actions">
        <Button variant="secondary" onClick={onDone} disabled={formState.isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" loading={formState.isSubmitting} data-testid="module-submit">
          Add module
        </Button>
      </div>
    </form>
  );
}

export function NewModuleButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="create-module">
        New module
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title="New module" testId="module-dialog">
        <NewModuleForm onDone={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

/** The module catalogue: every module the product offers to clients. */
export function ModulesCatalogue() {
  const modules = useModules();
  if (modules.isError) {
    return <QueryError what="the module catalogue" error={modules.error} onRetry={() => void modules.refetch()} retrying={modules.isFetching} />;
  }
  return (
    <DataTable
      caption="Module catalogue"
      columns={columns}
      data={modules.data ?? []}
      getRowId={(m) => m.name}
      loading={modules.isPending}
      empty={<EmptyState title="The catalogue is empty" />}
      testId="modules-table"
    />
  );
}
