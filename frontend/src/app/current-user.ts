import { createContext, useContext } from 'react';
import type { User } from '@/lib/api/client';

export const CurrentUserContext = createContext<User | null>(null);

/** The signed-in user, inside the routes that need a session. */
export function useCurrentUser(): User {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser() outside <RequireAuth>');
  return user;
}
