import { may, type Permission, type JobScope, type Principal } from '@trainyard/contracts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, whenUnauthenticated } from '../api/api-client';
import type { AuthConfig } from '../api/types';
import { completeOidcSignIn } from './oidc';
import { readToken, writeToken } from './token-store';

export interface Session {
  status: 'loading' | 'signed-in' | 'signed-out';
  me: Principal | null;
  auth: AuthConfig | null;
  /** Why the last sign-in failed, or why the API cannot be used. */
  error: string | null;
  signIn(token: string): Promise<void>;
  signOut(): void;
  /** Whether the caller may do `permission` (on `job`), as `GET /v1/me` says. */
  can(permission: Permission, job?: JobScope): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}

/**
 * Who is signed in. At start: finish an OIDC return if this is one, then ask `GET /v1/me` with the
 * stored token (without one: the login page, as every API route needs a token). A 401 at
 * any time signs out; after an explicit sign-out the login page stays until a new sign-in.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Session['status']>('loading');
  const [me, setMe] = useState<Principal | null>(null);
  const [auth, setAuth] = useState<AuthConfig | null>(null);
  const [error, setError] = useState<string | null>(null);

  const signOut = useCallback(() => {
    writeToken(null);
    setMe(null);
    setStatus('signed-out');
  }, []);

  useEffect(() => {
    whenUnauthenticated(() => {
      writeToken(null);
      setMe(null);
      setStatus('signed-out');
    });
    void (async () => {
      api<AuthConfig>('GET', '/v1/auth/config').then(setAuth, () => setAuth({ token: true, oidc: null }));
      try {
        const token = await completeOidcSignIn();
        if (token) writeToken(token);
      } catch (err) {
        setError((err as Error).message);
      }
      // Every API route needs a token (issue 11): without one, the login page, not a refused call.
      if (!readToken()) {
        setStatus('signed-out');
        return;
      }
      try {
        setMe(await api<Principal>('GET', '/v1/me'));
        setStatus('signed-in');
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) setError((err as Error).message);
        setStatus('signed-out');
      }
    })();
  }, []);

  const signIn = useCallback(async (token: string) => {
    setError(null);
    try {
      const who = await api<Principal>('GET', '/v1/me', undefined, { token });
      writeToken(token);
      setMe(who);
      setStatus('signed-in');
    } catch (err) {
      const message = err instanceof ApiError && err.status === 401 ? 'The API did not accept this token.' : (err as Error).message;
      setError(message);
      throw new Error(message);
    }
  }, []);

  const value = useMemo<Session>(
    () => ({ status, me, auth, error, signIn, signOut, can: (p, job) => (me ? may(me, p, job) : false) }),
    [status, me, auth, error, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export const hasToken = () => readToken() !== null;
