// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api/errors';
import { renderWithUi } from '@/testing/render';
import { AddUserForm } from './add-user-dialog';

describe('AddUserForm (seed 000)', () => {
  it('offers only the user and client admin roles, user first', () => {
    renderWithUi(<AddUserForm onSubmit={vi.fn()} onCancel={vi.fn()} />);
    const options = [...screen.getByLabelText<HTMLSelectElement>('Role').options].map((o) => o.value);
    expect(options).toEqual(['user', 'client_admin']);
    expect(screen.getByLabelText('Role')).toHaveValue('user');
  });

  it('checks the name and e-mail with the API’s rules before sending', async () => {
    const onSubmit = vi.fn();
    const { user } = renderWithUi(<AddUserForm onSubmit={onSubmit} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText('E-mail'), 'ravi@abc');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() => expect(screen.getByTestId('field-error-name')).toHaveTextContent('must not be empty'));
    expect(screen.getByTestId('field-error-email')).toHaveTextContent('must be a valid e-mail address');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends name, e-mail and role, trimmed', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const { user } = renderWithUi(<AddUserForm onSubmit={onSubmit} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText('Name'), ' Ravi Kumar ');
    await user.type(screen.getByLabelText('E-mail'), 'ravi@abc.store');
    await user.selectOptions(screen.getByLabelText('Role'), 'client_admin');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ name: 'Ravi Kumar', email: 'ravi@abc.store', role: 'client_admin' }));
  });

  it('puts the API’s conflict on the e-mail beside it', async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError(409, 'The e-mail is taken within this client', { email: ['is already used in this client'] }),
    );
    const { user } = renderWithUi(<AddUserForm onSubmit={onSubmit} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText('Name'), 'Ravi');
    await user.type(screen.getByLabelText('E-mail'), 'ravi@abc.store');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByTestId('modal-title')).toHaveTextContent('User not added');
    expect(screen.getByTestId('field-error-email')).toHaveTextContent('is already used in this client');
  });
});
