import { useContext } from 'react';
import { ToastContext, type ShowToast } from './toast-context';

/** Report a small success that needs no acknowledgement (saved, copied). Errors go to `useNotify`. */
export function useToast(): ShowToast {
  const show = useContext(ToastContext);
  if (!show) throw new Error('useToast() must be used inside <ToastProvider>');
  return show;
}
