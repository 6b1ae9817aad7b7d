import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post, rememberCsrfToken } from './api';
import type { Session, UiConfig } from './types';

export const SESSION_KEY = ['session'] as const;

/** The signed-in person, or null when the session cookie is missing or expired (401). */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await get<Session>('/auth/me');
        rememberCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          rememberCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useUiConfig() {
  return useQuery({ queryKey: ['ui-config'], queryFn: () => get<UiConfig>('/ui/config'), staleTime: Infinity });
}

/** Another person's data must not outlive their session; the session and the public config stay observed. */
function forgetPersonalData(client: ReturnType<typeof useQueryClient>): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' && query.queryKey[0] !== 'ui-config' });
}

export function useSignIn() {
  const client = useQueryClient();
  return async (email: string, password: string): Promise<void> => {
    const session = await post<Session>('/auth/sign-in', { email, password });
    rememberCsrfToken(session.csrfToken);
    forgetPersonalData(client);
    client.setQueryData(SESSION_KEY, session);
  };
}

export function useSignOut() {
  const client = useQueryClient();
  return async (): Promise<void> => {
    try {
      await post<void>('/auth/sign-out');
    } finally {
      rememberCsrfToken(null);
      forgetPersonalData(client);
      client.setQueryData(SESSION_KEY, null);
    }
  };
}
