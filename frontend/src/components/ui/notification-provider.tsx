import { useCallback, useRef, useState, type ReactNode } from 'react';
import { Modal } from './modal';
import { NotifyContext, type Notification } from './notify-context';

/** Shows notifications one at a time, in order, in a `Modal`. */
export function NotificationProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<(Notification & { id: number })[]>([]);
  const nextId = useRef(0);
  const notify = useCallback((n: Notification) => {
    nextId.current += 1;
    const id = nextId.current;
    setQueue((q) => [...q, { ...n, id }]);
  }, []);
  const dismiss = useCallback(() => {
    setQueue((q) => q.slice(1));
  }, []);
  const current = queue[0];

  return (
    <NotifyContext value={notify}>
      {children}
      {current && (
        <Modal
          key={current.id}
          title={current.title}
          variant={current.variant}
          onClose={dismiss}
          action={current.retry ? { label: 'Try again', onClick: current.retry } : undefined}
        >
          <p className="modal__message" data-testid="modal-message">
            {current.message}
          </p>
          {current.details && Object.keys(current.details).length > 0 && (
            <ul className="modal__details">
              {Object.entries(current.details).map(([field, messages]) => (
                <li key={field}>
                  <strong>{field}</strong>: {messages.join('; ')}
                </li>
              ))}
            </ul>
          )}
        </Modal>
      )}
    </NotifyContext>
  );
}
