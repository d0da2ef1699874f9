import * as RadixToast from '@radix-ui/react-toast';
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { ToastContext, type Toast } from './toast-context';

/** Toasts on Radix Toast: announced politely, paused on hover and focus, F8 reaches them. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<(Toast & { id: number })[]>([]);
  const nextId = useRef(0);
  const show = useCallback((toast: Toast) => {
    nextId.current += 1;
    const id = nextId.current;
    setToasts((list) => [...list.slice(-2), { ...toast, id }]);
  }, []);
  const remove = (id: number) => {
    setToasts((list) => list.filter((t) => t.id !== id));
  };

  return (
    <ToastContext value={show}>
      <RadixToast.Provider duration={5000} swipeDirection="right">
        {children}
        {toasts.map((toast) => (
          <RadixToast.Root
            key={toast.id}
            className={`toast toast--${toast.variant ?? 'success'}`}
            data-testid="toast"
            onOpenChange={(open) => {
              if (!open) remove(toast.id);
            }}
          >
            <RadixToast.Title className="toast__title">{toast.title}</RadixToast.Title>
            {toast.description && (
              <RadixToast.Description className="toast__description">{toast.description}</RadixToast.Description>
            )}
            <RadixToast.Close className="icon-button toast__close" aria-label="Dismiss">
              ×
            </RadixToast.Close>
          </RadixToast.Root>
        ))}
        <RadixToast.Viewport className="toast-viewport" />
      </RadixToast.Provider>
    </ToastContext>
  );
}
