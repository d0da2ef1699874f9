// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { renderWithUi } from '@/testing/render';
import { EMPTY_CLIENT_FORM, toCreateBody, type ClientFormValues } from '../client-form-schema';
import { ClientForm } from './client-form';

function setup(onSubmit = vi.fn<(values: ClientFormValues) => Promise<unknown>>().mockResolvedValue(undefined)) {
  const view = renderWithUi(
    <ClientForm defaultValues={EMPTY_CLIENT_FORM} submitLabel="Create client" failureTitle="Client not created" onSubmit={onSubmit} />,
  );
  return { ...view, onSubmit };
}

const errorOf = (name: string) => screen.queryByTestId(`field-error-${name}`)?.textContent ?? null;

describe('ClientForm', () => {
  it('has a labelled control for every field of seed 001', () => {
    setup();
    for (const label of [
      'Company name',
      'Contact e-mail',
      'Contact name',
      'Phone number',
      'WhatsApp number',
      'Business address',
      'Business type',
      'GST number',
      'Website',
      'Lead status',
      'Notes',
    ]) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
  });

  it('refuses, in the browser and in the API’s words, what the API would refuse', async () => {
    const { user, onSubmit } = setup();
    await user.type(screen.getByLabelText('Contact e-mail'), 'abc@localhost');
    await user.type(screen.getByLabelText('Phone number'), '12345');
    await user.type(screen.getByLabelText('GST number'), '27AAPFU0939F1ZA');
    await user.type(screen.getByLabelText('Website'), 'abc.store');
    await user.type(screen.getByLabelText('Contact name'), 'x'.repeat(101));
    await user.click(screen.getByRole('button', { name: 'Create client' }));

    await waitFor(() => expect(errorOf('companyName')).toBe('must not be empty'));
    expect(errorOf('contactEmail')).toBe('must be a valid e-mail address');
    expect(errorOf('phoneNumber')).toBe('must be a valid phone number, e.g. +917093635305');
    expect(errorOf('gstNumber')).toBe('has a wrong check character');
    expect(errorOf('website')).toBe('must be an http:// or https:// URL');
    expect(errorOf('contactName')).toBe('must be at most 100 characters long');
    expect(screen.getByLabelText('Company name')).toHaveAttribute('aria-invalid', 'true');
    // The message is tied to its field for screen readers.
    expect(screen.getByLabelText('GST number')).toHaveAccessibleDescription(/has a wrong check character/);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends valid values, and the request leaves blank optional fields out', async () => {
    const { user, onSubmit } = setup();
    await user.type(screen.getByLabelText('Company name'), '  ABC Store ');
    await user.type(screen.getByLabelText('Contact e-mail'), 'abc@store.com');
    await user.type(screen.getByLabelText('Phone number'), '7093635305');
    await user.type(screen.getByLabelText('GST number'), '27aapfu0939f1zv');
    await user.selectOptions(screen.getByLabelText('Business type'), 'retail');
    await user.selectOptions(screen.getByLabelText('Lead status'), 'qualified');
    await user.click(screen.getByRole('button', { name: 'Create client' }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledOnce());
    const values = onSubmit.mock.calls[0]![0];
    expect(toCreateBody(values)).toEqual({
      companyName: 'ABC Store',
      contactEmail: 'abc@store.com',
      phoneNumber: '7093635305',
      gstNumber: '27aapfu0939f1zv',
      businessType: 'retail',
      leadStatus: 'qualified',
    });
  });

  it('shows the API’s per-field details beside the fields, and the error in the modal', async () => {
    const refusal = new ApiError(400, 'Invalid fields', {
      contactEmail: ['is already used by another client'],
      somethingElse: ['was refused'],
    });
    const { user } = setup(vi.fn().mockRejectedValue(refusal));
    await user.type(screen.getByLabelText('Company name'), 'ABC Store');
    await user.type(screen.getByLabelText('Contact e-mail'), 'abc@store.com');
    await user.click(screen.getByRole('button', { name: 'Create client' }));

    const modal = await screen.findByRole('dialog');
    expect(within(modal).getByTestId('modal-title')).toHaveTextContent('Client not created');
    expect(within(modal).getByTestId('modal-message')).toHaveTextContent('Invalid fields');
    // A field the form does not have is listed in the modal instead.
    expect(modal).toHaveTextContent('somethingElse: was refused');
    expect(errorOf('contactEmail')).toBe('is already used by another client');
  });
});
