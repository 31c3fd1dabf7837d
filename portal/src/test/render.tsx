import { act, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import type { Me } from '../api/types';
import { SessionContext, type SessionValue } from '../auth/session';
import { ToastProvider } from '../components/Toasts';
import { LiveProvider, type LiveSource } from '../lib/live';

export function fakeMe(permissions: string[], overrides: Partial<Me> = {}): Me {
  return {
    user: { id: 'u1', email: 'olivia@example.com', name: 'Olivia Owner', locale: 'en' },
    tenant: { id: 't1', name: 'Acme', time_zone: 'UTC' },
    membership: { id: 'm1', role: { id: 'r1', name: 'owner' }, permissions },
    memberships: [{ tenant_id: 't1', tenant_name: 'Acme', membership_id: 'm1', role_name: 'owner' }],
    ...overrides,
  };
}

export function fakeSession(overrides: Partial<SessionValue> = {}): SessionValue {
  const me = overrides.me === undefined ? null : overrides.me;
  const perms = new Set(me?.membership.permissions ?? []);
  return {
    status: me ? 'authenticated' : 'anonymous',
    me,
    expired: false,
    can: (p) => perms.has(p),
    login: async () => {},
    startSession: async () => {},
    switchTenant: async () => {},
    logout: async () => {},
    reloadMe: async () => {},
    ...overrides,
  };
}

/** Renders `ui` at `path` inside a router, a fake session and the toast provider. */
export function renderPage(ui: ReactElement, { path = '/', session = fakeSession() } = {}) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionContext.Provider value={session}>
        <ToastProvider>
          <Routes>
            <Route path="*" element={ui} />
          </Routes>
        </ToastProvider>
      </SessionContext.Provider>
    </MemoryRouter>,
  );
}

export function jsonResponse(status: number, body: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A live source the test drives: `tick()` runs every subscribed handler once. */
export function manualLive() {
  const handlers = new Set<() => unknown>();
  const source: LiveSource = {
    subscribe(_topic, onChange) {
      handlers.add(onChange);
      return () => void handlers.delete(onChange);
    },
  };
  return {
    source,
    subscribers: () => handlers.size,
    tick: () =>
      act(async () => {
        await Promise.all([...handlers].map((h) => h()));
      }),
  };
}

/** Renders several routes (with params) at `path`, with a fake session and a live source. */
export function renderRoutes(
  routes: { path: string; element: ReactElement }[],
  { path = '/', session = fakeSession(), live = manualLive().source }: { path?: string; session?: SessionValue; live?: LiveSource } = {},
) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionContext.Provider value={session}>
        <LiveProvider source={live}>
          <ToastProvider>
            <Routes>
              {routes.map((r) => (
                <Route key={r.path} path={r.path} element={r.element} />
              ))}
            </Routes>
          </ToastProvider>
        </LiveProvider>
      </SessionContext.Provider>
    </MemoryRouter>,
  );
}
