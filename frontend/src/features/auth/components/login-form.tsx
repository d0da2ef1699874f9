import { useState, type SubmitEvent, type KeyboardEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useNotify } from '@/components/ui/use-notify';
import { ApiError, errorMessage } from '@/lib/api/errors';
import { useLogin, type LoginMode } from '../api/login';

const TABS: { mode: LoginMode; label: string; description: string }[] = [
  { mode: 'operator', label: 'Operator', description: 'Sign in as a member of the operator’s staff.' },
  { mode: 'client', label: 'Client', description: 'Sign in with the account your provider gave your company.' },
];

/** Seed 001's dual login: an operator tab and a client tab, one form. */
export function LoginForm() {
  const [mode, setMode] = useState<LoginMode>('operator');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const login = useLogin();
  const notify = useNotify();

  const current = TABS.find((t) => t.mode === mode) ?? TABS[0]!;

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldErrors({});
    login.mutate(
      { mode, username: username.trim(), password },
      {
        onError: (error) => {
          const details = error instanceof ApiError ? error.details : {};
          setFieldErrors(details);
          let message = errorMessage(error);
          if (error instanceof ApiError && error.retryAfter !== null) {
            message += ` Try again in ${error.retryAfter} seconds.`;
          }
          notify({ variant: 'error', title: 'Sign-in failed', message, details });
          setPassword('');
        },
      },
    );
  };

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    event.preventDefault();
    const next = mode === 'operator' ? 'client' : 'operator';
    setMode(next);
    document.getElementById(`login-tab-${next}`)?.focus();
  };

  return (
    <div className="login-card card">
      <div className="tabs" role="tablist" aria-label="Account type">
        {TABS.map((tab) => (
          <button
            key={tab.mode}
            id={`login-tab-${tab.mode}`}
            type="button"
            role="tab"
            className="tabs__tab"
            aria-selected={tab.mode === mode}
            aria-controls="login-panel"
            tabIndex={tab.mode === mode ? 0 : -1}
            data-testid={`tab-${tab.mode}`}
            onClick={() => setMode(tab.mode)}
            onKeyDown={onTabKey}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <form
        id="login-panel"
        role="tabpanel"
        aria-labelledby={`login-tab-${mode}`}
        className="form"
        onSubmit={onSubmit}
        noValidate
        data-testid="login-form"
      >
        <p className="muted">{current.description}</p>
        <TextField
          label="Username or email"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          errors={fieldErrors.username}
          required
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          errors={fieldErrors.password}
          required
        />
        <Button
          type="submit"
          className="button--block"
          loading={login.isPending}
          disabled={username.trim() === '' || password === ''}
          data-testid="login-submit"
        >
          Sign in
        </Button>
      </form>
    </div>
  );
}
