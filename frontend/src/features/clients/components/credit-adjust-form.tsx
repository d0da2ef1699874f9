import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import type { Schemas } from '@/lib/api/client';
import { ApiError, errorMessage, isEndedSession } from '@/lib/api/errors';
import { applyServerErrors, fieldErrors } from '@/lib/form-errors';
import { tokenStore } from '@/lib/token-store';
import { CREDIT_FIELDS, creditSchema, toCreditBody, type CreditFormValues } from '../credit-schema';

const EMPTY: CreditFormValues = { direction: 'add', amount: '', reason: '' };

/**
 * Add or deduct credits with a reason. A deduction past zero is the API's to
 * refuse (409): its message is shown in the error modal and beside the amount.
 */
export function CreditAdjustForm({
  onSubmit,
}: {
  onSubmit: (body: Schemas['CreditAdjustment']) => Promise<{ balance: number }>;
}) {
  const notify = useNotify();
  const { register, handleSubmit, setError, reset, formState } = useForm<CreditFormValues>({
    defaultValues: EMPTY,
    resolver: zodResolver(creditSchema),
  });
  const { errors, isSubmitting } = formState;

  const submit = handleSubmit(async (values) => {
    try {
      await onSubmit(toCreditBody(values));
      reset(EMPTY);
    } catch (error) {
      if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
      // The API names the amount `delta`; a refusal below zero (409) belongs beside it too.
      const { delta, ...rest } = applyServerErrors(error, CREDIT_FIELDS, setError);
      const amountMessage = delta?.join('; ') ?? (error instanceof ApiError && error.status === 409 ? error.message : null);
      if (amountMessage) setError('amount', { type: 'server', message: amountMessage }, { shouldFocus: true });
      notify({ variant: 'error', title: 'Credits not adjusted', message: errorMessage(error), details: rest });
    }
  });

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="credit-form">
      <fieldset className="segmented">
        <legend className="field__label">Change</legend>
        <label className="segmented__option">
          <input type="radio" value="add" {...register('direction')} data-testid="credit-add" />
          <span>Add credits</span>
        </label>
        <label className="segmented__option">
          <input type="radio" value="deduct" {...register('direction')} data-testid="credit-deduct" />
          <span>Deduct credits</span>
        </label>
      </fieldset>
      <TextField
        label="Amount"
        inputMode="numeric"
        autoComplete="off"
        required
        errors={fieldErrors(errors.amount?.message)}
        {...register('amount')}
      />
      <TextField label="Reason" required autoComplete="off" hint="Recorded in the ledger." errors={fieldErrors(errors.reason?.message)} {...register('reason')} />
      <div className="form__actions">
        <Button type="submit" loading={isSubmitting} data-testid="credit-submit">
          Record adjustment
        </Button>
      </div>
    </form>
  );
}
