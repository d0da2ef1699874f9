import { render, type RenderResult } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { NotificationProvider } from '@/components/ui/notification-provider';
import { ToastProvider } from '@/components/ui/toast-provider';

/** Render inside the app's feedback providers (toasts, the message modal), with a user to drive it. */
export function renderWithUi(ui: ReactElement): RenderResult & { user: UserEvent } {
  const user = userEvent.setup();
  const result = render(
    <ToastProvider>
      <NotificationProvider>{ui}</NotificationProvider>
    </ToastProvider>,
  );
  return { ...result, user };
}
