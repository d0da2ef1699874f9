// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithUi } from '@/testing/render';
import { CredentialsDialog } from './credentials-dialog';

const credentials = { username: 'abcstore123', password: 'Kj8mN2pQx7Rt4wVa', loginUrl: 'http://localhost:8080/login' };
const share = {
  text: 'Your account is ready!\nUsername: abcstore123',
  whatsappUrl: 'https://wa.me/917093635305?text=Your%20account',
  mailtoUrl: 'mailto:abc@store.com?subject=Your%20account',
};

function setup(props: Partial<Parameters<typeof CredentialsDialog>[0]> = {}) {
  const onClose = vi.fn();
  const view = renderWithUi(
    <CredentialsDialog title="Client created" subject="ABC Store (ACC001)" credentials={credentials} share={share} onClose={onClose} {...props} />,
  );
  // user-event installs its own clipboard stub on navigator; spy on it after setup.
  const writeText = vi.spyOn(navigator.clipboard, 'writeText');
  return { ...view, onClose, writeText };
}

afterEach(() => vi.restoreAllMocks());

describe('CredentialsDialog', () => {
  it('shows each credential once, with a "shown once" notice', () => {
    setup();
    const dialog = screen.getByRole('dialog', { name: 'Client created' });
    expect(dialog).toHaveAccessibleDescription('Login details for ABC Store (ACC001).');
    expect(screen.getByTestId('credential-username')).toHaveTextContent('abcstore123');
    expect(screen.getByTestId('credential-password')).toHaveTextContent('Kj8mN2pQx7Rt4wVa');
    expect(screen.getByTestId('credential-login-url')).toHaveTextContent('http://localhost:8080/login');
    expect(screen.getByTestId('shown-once')).toHaveTextContent(/cannot be shown again/);
  });

  it('copies each value to the clipboard and says so', async () => {
    const { user, writeText } = setup();
    await user.click(screen.getByRole('button', { name: 'Copy password' }));
    expect(writeText).toHaveBeenLastCalledWith('Kj8mN2pQx7Rt4wVa');
    expect(await navigator.clipboard.readText()).toBe('Kj8mN2pQx7Rt4wVa');
    expect(screen.getByRole('button', { name: 'Copy password' })).toHaveTextContent('Copied');
    expect(screen.getByText('Password copied')).toHaveAttribute('role', 'status');

    await user.click(screen.getByRole('button', { name: 'Copy username' }));
    expect(writeText).toHaveBeenLastCalledWith('abcstore123');
    await user.click(screen.getByRole('button', { name: 'Copy login url' }));
    expect(writeText).toHaveBeenLastCalledWith('http://localhost:8080/login');
    await user.click(screen.getByRole('button', { name: 'Copy message' }));
    expect(writeText).toHaveBeenLastCalledWith(share.text);
  });

  it('reports a clipboard the browser refuses in the modal, not silently', async () => {
    const { user, writeText } = setup();
    writeText.mockRejectedValueOnce(new Error('denied'));
    await user.click(screen.getByRole('button', { name: 'Copy password' }));
    expect(await screen.findByTestId('modal-title')).toHaveTextContent('Could not copy');
  });

  it('offers the API’s WhatsApp and e-mail links with the share text', () => {
    setup();
    expect(screen.getByRole('link', { name: 'Send on WhatsApp' })).toHaveAttribute('href', share.whatsappUrl);
    expect(screen.getByRole('link', { name: 'Send on WhatsApp' })).toHaveAttribute('target', '_blank');
    expect(screen.getByRole('link', { name: 'Send by e-mail' })).toHaveAttribute('href', share.mailtoUrl);
    expect(screen.getByTestId('share-text')).toHaveValue(share.text);
  });

  it('says when there is no WhatsApp number instead of a dead link', () => {
    setup({ share: { ...share, whatsappUrl: null } });
    expect(screen.queryByRole('link', { name: 'Send on WhatsApp' })).toBeNull();
    expect(screen.getByTestId('share-whatsapp-missing')).toBeInTheDocument();
  });

  it('asks before closing, by Done or by Escape, and can be kept open', async () => {
    const { user, onClose } = setup();
    await user.click(screen.getByRole('button', { name: 'Done' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Close the credentials?' });
    // Focus starts on the safe choice.
    expect(screen.getByRole('button', { name: 'Keep them open' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Keep them open' }));
    await waitFor(() => expect(confirm).not.toBeInTheDocument());
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'Client created' })).toBeInTheDocument();

    await user.keyboard('{Escape}');
    await screen.findByRole('alertdialog');
    expect(onClose).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Close, I have saved them' }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('keeps focus inside while open', async () => {
    const { user } = setup();
    const dialog = screen.getByRole('dialog', { name: 'Client created' });
    for (let i = 0; i < 15; i += 1) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
  });
});
