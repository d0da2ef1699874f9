import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo } from 'react';
import { useForm } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextAreaField } from '@/components/ui/text-area-field';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { phoneRegion } from '@/config/env';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { applyServerErrors, fieldErrors } from '@/lib/form-errors';
import { tokenStore } from '@/lib/token-store';
import { CLIENT_FIELDS, clientFormSchema, type ClientFormValues } from '../client-form-schema';
import { BUSINESS_TYPE_LABELS, BUSINESS_TYPES, LEAD_STATUS_LABELS, LEAD_STATUSES } from '../labels';

const BUSINESS_OPTIONS = [
  { value: '', label: 'Not set' },
  ...BUSINESS_TYPES.map((t) => ({ value: t, label: BUSINESS_TYPE_LABELS[t] })),
];
const LEAD_OPTIONS = LEAD_STATUSES.map((s) => ({ value: s, label: LEAD_STATUS_LABELS[s] }));

export interface ClientFormProps {
  defaultValues: ClientFormValues;
  submitLabel: string;
  /** Title of the error modal when the API refuses, e.g. "Client not created". */
  failureTitle: string;
  /** Sends the values; throws the API's error, whose `details` land beside the fields. */
  onSubmit: (values: ClientFormValues) => Promise<unknown>;
  onCancel?: () => void;
  /** For an edit: nothing to save until a field changes. */
  requireChanges?: boolean;
  testId?: string;
}

/**
 * Every field of seed 001, checked in the browser with the API's own rules and
 * messages (react-hook-form + zod); what the API still refuses is shown beside
 * its field.
 */
export function ClientForm({
  defaultValues,
  submitLabel,
  failureTitle,
  onSubmit,
  onCancel,
  requireChanges = false,
  testId = 'client-form',
}: ClientFormProps) {
  const notify = useNotify();
  const schema = useMemo(() => clientFormSchema(phoneRegion()), []);
  const form = useForm<ClientFormValues>({
    defaultValues,
    resolver: zodResolver(schema),
  });
  const { register, handleSubmit, setError, formState } = form;
  const { errors, isSubmitting, isDirty } = formState;
  const err = (field: keyof ClientFormValues) => fieldErrors(errors[field]?.message);

  const submit = handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
      const others = applyServerErrors(error, CLIENT_FIELDS, setError);
      notify({ variant: 'error', title: failureTitle, message: errorMessage(error), details: others });
    }
  });

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid={testId}>
      <fieldset className="form__section">
        <legend className="form__legend">Company</legend>
        <div className="form__grid">
          <TextField label="Company name" required autoComplete="organization" errors={err('companyName')} {...register('companyName')} />
          <SelectField label="Business type" options={BUSINESS_OPTIONS} errors={err('businessType')} {...register('businessType')} />
          <TextField
            label="GST number"
            hint="15-character GSTIN, e.g. 27AAPFU0939F1ZV"
            autoCapitalize="characters"
            spellCheck={false}
            errors={err('gstNumber')}
            {...register('gstNumber')}
          />
          <TextField label="Website" type="url" placeholder="https://" autoComplete="url" errors={err('website')} {...register('website')} />
          <TextAreaField
            label="Business address"
            autoComplete="street-address"
            className="form__wide"
            errors={err('businessAddress')}
            {...register('businessAddress')}
          />
        </div>
      </fieldset>
      <fieldset className="form__section">
        <legend className="form__legend">Contact</legend>
        <div className="form__grid">
          <TextField label="Contact e-mail" type="email" required autoComplete="email" errors={err('contactEmail')} {...register('contactEmail')} />
          <TextField label="Contact name" autoComplete="name" errors={err('contactName')} {...register('contactName')} />
          <TextField
            label="Phone number"
            type="tel"
            autoComplete="tel"
            hint="With +country code, or a local number"
            errors={err('phoneNumber')}
            {...register('phoneNumber')}
          />
          <TextField
            label="WhatsApp number"
            type="tel"
            hint="Enables sending the credentials on WhatsApp"
            errors={err('whatsappNumber')}
            {...register('whatsappNumber')}
          />
        </div>
      </fieldset>
      <fieldset className="form__section">
        <legend className="form__legend">Pipeline</legend>
        <div className="form__grid">
          <SelectField label="Lead status" options={LEAD_OPTIONS} errors={err('leadStatus')} {...register('leadStatus')} />
          <TextAreaField label="Notes" className="form__wide" rows={4} errors={err('notes')} {...register('notes')} />
        </div>
      </fieldset>
      <div className="form__actions">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={isSubmitting} disabled={requireChanges && !isDirty} data-testid="client-form-submit">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
