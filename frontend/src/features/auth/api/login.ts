import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas, type TokenResponse } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { tokenStore } from '@/lib/token-store';
import { clearSignedOut } from '../session-end';
import { authKeys } from './keys';

/** The two tabs of the login page: operator staff, or a client's users. */
export type LoginMode = 'operator' | 'client';
export type LoginInput = Schemas['LoginRequest'];

/** POST /api/auth/login (operator) or /api/auth/client-login (client users only). */
export async function login(mode: LoginMode, body: LoginInput): Promise<TokenResponse> {
  const { client } = getApi();
  const call =
    mode === 'operator'
      ? client.POST('/api/auth/login', { body })
      : client.POST('/api/auth/client-login', { body });
  return unwrap(call);
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ mode, ...body }: LoginInput & { mode: LoginMode }) => {
      const tokens = await login(mode, body);
      // The user first, then the tokens: the session switch renders with the user known.
      queryClient.setQueryData(authKeys.me, tokens.user);
      clearSignedOut();
      tokenStore.setTokens(tokens);
      return tokens;
    },
  });
}
