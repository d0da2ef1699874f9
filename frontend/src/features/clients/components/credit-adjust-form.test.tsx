// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { renderWithUi } from '@/testing/render';
import { CreditAdjustForm } from './credit-adjust-form';

describe('CreditAdjustForm', () => {
  it('sends a deduction as a negative delta with its reason', async () => {
    const onSubmit = vi.fn().mockResolvedValue({ balance: 40 });
    const { user } = renderWithUi(<CreditAdjustForm onSubmit={onSubmit} />);
    await user.click(screen.getByLabelText('Deduct credits'));
    await user.type(screen.getByLabelText('Amount'), '60');
    await user.type(screen.getByLabelText('Reason'), 'Monthly usage');
    await user.click(screen.getByRole('button', { name: 'Record adjustment' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ delta: -60, reason: 'Monthly usage' }));
    // Cleared for the next one.
    await waitFor(() => expect(screen.getByLabelText('Amount')).toHaveValue(''));
  });

  it('refuses amounts the API refuses', async () => {
    const onSubmit = vi.fn();
    const { user } = renderWithUi(<CreditAdjustForm onSubmit={onSubmit} />);
    for (const bad of ['0', '-5', '1.5', '1000000001']) {
      await user.clear(screen.getByLabelText('Amount'));
      await user.type(screen.getByLabelText('Amount'), bad);
      await user.click(screen.getByRole('button', { name: 'Record adjustment' }));
      await waitFor(() =>
        expect(screen.getByTestId('field-error-amount')).toHaveTextContent('must be a whole number from 1 to 1,000,000,000'),
      );
    }
    expect(screen.getByTestId('field-error-reason')).toHaveTextContent('must not be empty');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('shows the API’s refusal below zero beside the amount and in the modal', async () => {
    const message = 'Insufficient credits: the balance is 40, so it cannot change by -100';
    const onSubmit = vi.fn().mockRejectedValue(new ApiError(409, message));
    const { user } = renderWithUi(<CreditAdjustForm onSubmit={onSubmit} />);
    await user.click(screen.getByLabelText('Deduct credits'));
    await user.type(screen.getByLabelText('Amount'), '100');
    await user.type(screen.getByLabelText('Reason'), 'Too much');
    await user.click(screen.getByRole('button', { name: 'Record adjustment' }));
    expect(await screen.findByTestId('modal-message')).toHaveTextContent(message);
    expect(screen.getByTestId('field-error-amount')).toHaveTextContent(message);
  });
});
