import * as Dialog from '@radix-ui/react-dialog';
import { useId, type ReactNode } from 'react';

export type ModalVariant = 'success' | 'error' | 'info';

export interface ModalProps {
  title: string;
  variant?: ModalVariant;
  onClose: () => void;
  children: ReactNode;
  closeLabel?: string;
  /** A second button beside the close one, e.g. "Try again"; it closes the modal too. */
  action?: { label: string; onClick: () => void };
}

const ICONS: Record<ModalVariant, string> = { success: '✓', error: '!', info: 'i' };

/**
 * The app's message modal (success, error, notice) on Radix Dialog: focus is
 * trapped inside and returned on close, Escape closes it, the page behind is
 * inert. Mounted means open; unmount it, or close it, to dismiss.
 */
export function Modal({ title, variant = 'info', onClose, children, closeLabel = 'OK', action }: ModalProps) {
  const bodyId = useId();
  return (
    <Dialog.Root
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="overlay overlay--top" />
        <Dialog.Content
          className={`modal modal--${variant}`}
          aria-describedby={bodyId}
          data-testid="modal"
          data-variant={variant}
        >
          <div className="modal__header">
            <span className="modal__icon" aria-hidden="true">
              {ICONS[variant]}
            </span>
            <Dialog.Title className="modal__title" data-testid="modal-title">
              {title}
            </Dialog.Title>
          </div>
          <div id={bodyId} className="modal__body" data-testid="modal-body">
            {children}
          </div>
          <div className="modal__actions">
            {action && (
              <Dialog.Close asChild>
                <button type="button" className="button button--secondary" onClick={action.onClick} data-testid="modal-action">
                  {action.label}
                </button>
              </Dialog.Close>
            )}
            <Dialog.Close asChild>
              <button type="button" className="button button--primary" data-testid="modal-close">
                {closeLabel}
              </button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
