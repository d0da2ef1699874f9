import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { tokenStore } from '@/lib/token-store';
import { useLogoutOtherSessions } from '../api/logout-others';
import { LogoutButton } from './logout-button';

/** Sign out here, or end every other session (other browsers and devices) and stay signed in here. */
export function SessionsCard() {
  const [asking, setAsking] = useState(false);
  const others = useLogoutOtherSessions();
  const notify = useNotify();
  const toast = useToast();
  const endOthers = () => {
    others.mutate(undefined, {
      onSuccess: () => {
        setAsking(false);
        toast({ title: 'Signed out everywhere else', description: 'Your other sessions have ended; this one goes on.' });
      },
      onError: (error) => {
        setAsking(false);
        if (isEndedSession(error, tokenStore.getAccessToken() !== null)) return;
        notify({ variant: 'error', title: 'Other sessions not ended', message: errorMessage(error), retry: endOthers });
      },
    });
  };
  return (
    <div className="sessions" data-testid="sessions-card">
      <p className="muted">Signed in on another computer or phone, or not sure? End those sessions: they must sign in again.</p>
      <div className="form__actions form__actions--start">
        <Button variant="secondary" onClick={() => setAsking(true)} data-testid="logout-others">
          Sign out everywhere else
        </Button>
        <LogoutButton />
      </div>
      <ConfirmDialog
        open={asking}
        onOpenChange={setAsking}
        title="Sign out everywhere else?"
        confirmLabel="Sign out other sessions"
        tone="danger"
        loading={others.isPending}
        onConfirm={endOthers}
        testId="confirm-logout-others"
      >
        <p>Every other browser or device signed in as you is signed out at once. You stay signed in here.</p>
      </ConfirmDialog>
    </div>
  );
}
