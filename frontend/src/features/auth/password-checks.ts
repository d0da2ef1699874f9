import { characterCount, PASSWORD_MAX, PASSWORD_MIN } from '@/lib/field-rules';

export type Check = 'ok' | 'bad' | 'pending';

/** The password policy, checked as it is typed; "common" is the server's to judge. */
export function passwordChecks(
  password: string,
  current: string,
  serverRefusal: string | null,
): { id: string; label: string; state: Check }[] {
  const n = characterCount(password);
  return [
    { id: 'min', label: `At least ${PASSWORD_MIN} characters (${n} so far)`, state: n >= PASSWORD_MIN ? 'ok' : password ? 'bad' : 'pending' },
    { id: 'max', label: `At most ${PASSWORD_MAX} characters`, state: n <= PASSWORD_MAX ? (password ? 'ok' : 'pending') : 'bad' },
    {
      id: 'differs',
      label: 'Not the current password',
      state: password === '' ? 'pending' : password === current ? 'bad' : 'ok',
    },
    {
      id: 'common',
      label: serverRefusal ? `Not a common password: ${serverRefusal}` : 'Not a common password (the server checks this when you save)',
      state: serverRefusal ? 'bad' : 'pending',
    },
  ];
}

