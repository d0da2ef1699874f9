import { Button } from '@/components/ui/button';
import { useNotify } from '@/components/ui/use-notify';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { useLogout } from '../api/logout';

export function LogoutButton() {
  const notify = useNotify();
  const logout = useLogout({
    onError: (error) => {
      if (isEndedSession(error, false)) return;
      notify({
        variant: 'info',
        title: 'Signed out',
        message: `You are signed out on this device, but the server could not be told: ${errorMessage(error)}`,
      });
    },
  });
  return (
    <Button variant="secondary" loading={logout.isPending} data-testid="logout" onClick={() => logout.mutate()}>
      Sign out
    </Button>
  );
}
