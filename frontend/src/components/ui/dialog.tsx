import * as RadixDialog from '@radix-ui/react-dialog';
import type { ReactNode, RefObject } from 'react';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** `wide` for forms with two columns of fields. */
  size?: 'normal' | 'wide';
  testId?: string;
  /** Called instead of closing on Escape or a click outside (e.g. to confirm first). */
  onDismissAttempt?: () => void;
  /** Where focus goes when it closes, when the control that opened it is gone or is not the right place. */
  returnFocus?: RefObject<HTMLElement | null> | undefined;
}

/**
 * A dialog for a task (a form, one-time credentials) on Radix Dialog: focus
 * trapped and returned to the control that opened it, Escape and a click
 * outside close it unless `onDismissAttempt` intercepts them.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  size = 'normal',
  testId,
  onDismissAttempt,
  returnFocus,
}: DialogProps) {
  const intercept = onDismissAttempt
    ? (event: Event) => {
        event.preventDefault();
        onDismissAttempt();
      }
    : undefined;
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="overlay" />
        <RadixDialog.Content
          className={`dialog dialog--${size}`}
          data-testid={testId}
          onEscapeKeyDown={intercept}
          onPointerDownOutside={intercept}
          onCloseAutoFocus={
            returnFocus
              ? (event) => {
                  event.preventDefault();
                  returnFocus.current?.focus();
                }
              : undefined
          }
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <div className="dialog__header">
            <RadixDialog.Title className="dialog__title">{title}</RadixDialog.Title>
            {description && <RadixDialog.Description className="dialog__description">{description}</RadixDialog.Description>}
            {!onDismissAttempt && (
              <RadixDialog.Close className="icon-button dialog__close" aria-label="Close">
                ×
              </RadixDialog.Close>
            )}
          </div>
          <div className="dialog__body">{children}</div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
