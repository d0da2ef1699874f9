import { useContext } from 'react';
import { NotifyContext, type Notify } from './notify-context';

/** Report a success or an error to the user in the app's modal. */
export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify() must be used inside <NotificationProvider>');
  return notify;
}
