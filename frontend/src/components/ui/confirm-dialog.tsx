import * as AlertDialog from '@radix-ui/react-alert-dialog';
import type { ReactNode } from 'react';
import { Spinner } from './spinner';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** `danger` for what takes something away (deactivate, reset a password). */
  tone?: 'primary' | 'danger';
  loading?: boolean;
  onConfirm: () => void;
  testId?: string;
}

/**
 * Asks before an action (Radix AlertDialog): focus starts on Cancel, Escape
 * cancels, and the confirm button stays open while `loading` so the outcome can
 * be reported.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'primary',
  loading = false,
  onConfirm,
  testId,
}: ConfirmDialogProps) {
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="overlay overlay--top" />
        <AlertDialog.Content className="dialog dialog--confirm" data-testid={testId}>
          <AlertDialog.Title className="dialog__title">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="dialog__description">{children}</div>
          </AlertDialog.Description>
          <div className="form__actions">
            <AlertDialog.Cancel className="button button--secondary" disabled={loading}>
              {cancelLabel}
            </AlertDialog.Cancel>
            <button
              type="button"
              className={`button button--${tone}`}
              disabled={loading}
              aria-busy={loading || undefined}
              onClick={onConfirm}
            >
              {loading && <Spinner size="small" />}
              <span>{confirmLabel}</span>
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
