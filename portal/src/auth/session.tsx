// Who is signed in, and in which business.
//
// On start the provider exchanges the refresh cookie for an access token
// (POST /api/v1/auth/refresh) and loads /api/v1/me. The access token stays inside the API
// client's memory. When the client reports the session lost (a 401 that a refresh could not
// fix), the state becomes anonymous and the route guard sends the person to /login.

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { accounts, api, isApiError, type Me, type Session } from '../api';

export type SessionStatus = 'loading' | 'anonymous' | 'authenticated';

export interface SessionValue {
  status: SessionStatus;
  me: Me | null;
  /** True when a session ended on its own (expired, revoked), so /login can say so. */
  expired: boolean;
  can: (permission: string) => boolean;
  login: (email: string, password: string) => Promise<void>;
  /** Adopts a session answered by the server (login, accept invitation, switch). */
  startSession: (session: Session) => Promise<void>;
  switchTenant: (tenantId: string) => Promise<void>;
  logout: () => Promise<void>;
  reloadMe: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

// One boot per page load, even when React mounts effects twice in development: a second
// refresh with the same cookie would count as token reuse and end the session.
let bootPromise: Promise<Me | null> | null = null;
function bootOnce(): Promise<Me | null> {
  if (!bootPromise) {
    bootPromise = api
      .refresh()
      .then(() => accounts.me())
      .catch(() => null);
  }
  return bootPromise;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [expired, setExpired] = useState(false);
  const statusRef = useRef(status);
  statusRef.current = status;

  useEffect(() => {
    let live = true;
    void bootOnce().then((loaded) => {
      if (!live) return;
      setMe(loaded);
      setStatus(loaded ? 'authenticated' : 'anonymous');
    });
    const off = api.onAuthLost(() => {
      if (statusRef.current === 'authenticated') setExpired(true);
      setMe(null);
      setStatus('anonymous');
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  const reloadMe = useCallback(async () => {
    const loaded = await accounts.me();
    setMe(loaded);
    setStatus('authenticated');
  }, []);

  const startSession = useCallback(
    async (session: Session) => {
      api.setSession(session);
      setExpired(false);
      await reloadMe();
    },
    [reloadMe],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const session = await accounts.login({ email, password });
      await startSession(session);
    },
    [startSession],
  );

  const switchTenant = useCallback(
    async (tenantId: string) => {
      const session = await accounts.switchTenant(tenantId);
      await startSession(session);
    },
    [startSession],
  );

  const logout = useCallback(async () => {
    try {
      await accounts.logout();
    } catch (e) {
      // The session ends locally whatever the server says; a network error is not worth a dialog.
      if (!isApiError(e)) throw e;
    }
    api.setSession(null);
    setExpired(false);
    setMe(null);
    setStatus('anonymous');
  }, []);

  const value = useMemo<SessionValue>(() => {
    const permissions = new Set(me?.membership.permissions ?? []);
    return {
      status,
      me,
      expired,
      can: (p: string) => permissions.has(p),
      login,
      startSession,
      switchTenant,
      logout,
      reloadMe,
    };
  }, [status, me, expired, login, startSession, switchTenant, logout, reloadMe]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
