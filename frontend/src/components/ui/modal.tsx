import { useEffect, useId, useRef, type ReactNode } from 'react';

export type ModalVariant = 'success' | 'error' | 'info';

export interface ModalProps {
  title: string;
  variant?: ModalVariant;
  onClose: () => void;
  children: ReactNode;
  closeLabel?: string;
}

const ICONS: Record<ModalVariant, string> = { success: '✓', error: '!', info: 'i' };

/**
 * A modal dialog (native `<dialog>`: focus is trapped, Escape closes it, the page
 * behind is inert). Mounted means open; unmount it, or close it, to dismiss.
 */
export function Modal({ title, variant = 'info', onClose, children, closeLabel = 'OK' }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal modal--${variant}`}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="modal"
      data-variant={variant}
      onClose={onClose}
    >
      <div className="modal__header">
        <span className="modal__icon" aria-hidden="true">
          {ICONS[variant]}
        </span>
        <h2 id={titleId} className="modal__title" data-testid="modal-title">
          {title}
        </h2>
      </div>
      <div id={bodyId} className="modal__body" data-testid="modal-body">
        {children}
      </div>
      <div className="modal__actions">
        <button type="button" className="button button--primary" onClick={onClose} autoFocus data-testid="modal-close">
          {closeLabel}
        </button>
      </div>
    </dialog>
  );
}
