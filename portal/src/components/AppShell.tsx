import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../auth/session';
import { describeError } from '../lib/errors';
import { RealtimeProvider } from '../lib/RealtimeProvider';
import { roleLabel } from '../lib/roles';
import { Avatar } from './Avatar';
import { Icon, type IconName } from './Icon';
import { LanguagePicker } from './LanguagePicker';
import { NotificationsBell } from './NotificationsBell';
import { PresenceToggle } from './PresenceToggle';
import { QualityBanner } from './QualityBanner';
import { Logo } from './Logo';
import { PageLoading } from './Spinner';
import { useToast } from './Toasts';

/**
 * Routes inside it need a session; without one the person goes to /login and comes back. With one,
 * the realtime socket keeps their live pages fresh.
 */
export function RequireAuth() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <PageLoading label={t('shell.loadingSession')} />;
  if (session.status === 'anonymous') {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <RealtimeProvider
      sessionKey={session.me?.membership.id}
      enabled={session.can('conversations:read_all') || session.can('conversations:read_assigned')}
    >
      <AppShell />
    </RealtimeProvider>
  );
}

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  visible: boolean;
}

export function AppShell() {
  const { t } = useTranslation();
  const session = useSession();
  const me = session.me!;
  const can = session.can;
  const location = useLocation();

  const settings: NavItem[] = [
    { to: '/settings/agents', label: t('nav.agents'), icon: 'users', visible: can('agents:manage') || can('teams:manage') },
    { to: '/settings/teams', label: t('nav.teams'), icon: 'team', visible: true },
    { to: '/settings/roles', label: t('nav.roles'), icon: 'shield', visible: true },
    { to: '/settings/tags', label: t('nav.tags'), icon: 'tag', visible: true },
    { to: '/settings/numbers', label: t('nav.numbers'), icon: 'phone', visible: true },
    { to: '/settings/templates', label: t('nav.templates'), icon: 'template', visible: true },
    { to: '/settings/contacts', label: t('nav.contacts'), icon: 'user', visible: can('contacts:manage') && can('conversations:read_all') },
    { to: '/settings/canned-responses', label: t('nav.cannedResponses'), icon: 'message', visible: can('conversations:reply') || can('canned:manage') },
    { to: '/settings/business-hours', label: t('nav.businessHours'), icon: 'clock', visible: can('settings:manage') },
    { to: '/settings/routing', label: t('nav.routing'), icon: 'route', visible: can('settings:manage') || can('teams:manage') },
    { to: '/settings/workflow', label: t('nav.workflow'), icon: 'sync', visible: can('settings:manage') },
    { to: '/settings/sla', label: t('nav.sla'), icon: 'checks', visible: can('settings:manage') || can('reports:view') },
    { to: '/settings/bots', label: t('nav.bots'), icon: 'smartphone', visible: can('settings:manage') || can('reports:view') },
    { to: '/settings/knowledge', label: t('nav.knowledge'), icon: 'help', visible: can('settings:manage') || can('conversations:read_all') || can('conversations:read_assigned') },
    { to: '/settings/webhooks', label: t('nav.webhooks'), icon: 'plug', visible: can('settings:manage') },
    { to: '/settings/csat', label: t('nav.csat'), icon: 'star', visible: can('settings:manage') },
  ];
  // The inbox uses the whole area below the top bar.
  const flush = location.pathname === '/inbox' || location.pathname.startsWith('/inbox/');

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-brand">
          <Logo size={30} />
        </div>
        <nav className="sidebar-nav" aria-label={t('nav.main')}>
          <NavLink to="/inbox" className="nav-item">
            <Icon name="inbox" />
            <span>{t('nav.inbox')}</span>
          </NavLink>
          <NavLink to="/test-phone" className="nav-item">
            <Icon name="smartphone" />
            <span>{t('nav.testPhone')}</span>
          </NavLink>
          {can('reports:view') && (
            <NavLink to="/reports" className="nav-item">
              <Icon name="chart" />
              <span>{t('nav.reports')}</span>
            </NavLink>
          )}
          {can('reports:view') && (
            <NavLink to="/floor" className="nav-item">
              <Icon name="activity" />
              <span>{t('nav.floor')}</span>
            </NavLink>
          )}
          <div className="nav-section">{t('nav.settings')}</div>
          {settings
            .filter((item) => item.visible)
            .map((item) => (
              <NavLink key={item.to} to={item.to} className="nav-item">
                <Icon name={item.icon} />
                <span>{item.label}</span>
              </NavLink>
            ))}
          {/* Platform operators' console: the server decides who may use it (403 for others). */}
          <div className="nav-section nav-section-platform">{t('nav.platform')}</div>
          <NavLink to="/operator/jobs" className="nav-item nav-item-platform">
            <Icon name="alert" />
            <span>{t('nav.failedJobs')}</span>
          </NavLink>
        </nav>
        <div className="sidebar-footer">
          <Avatar name={me.user.name} seed={me.user.id} size={32} />
          <div className="sidebar-user">
            <div className="sidebar-user-name" data-testid="current-user">
              {me.user.name}
            </div>
            <div className="sidebar-user-role">{roleLabel(t, me.membership.role.name)}</div>
          </div>
        </div>
      </aside>
      <div className="shell-main">
        <header className="topbar">
          <BusinessSwitcher />
          <div className="topbar-right">
            {(can('conversations:read_all') || can('conversations:read_assigned')) && <PresenceToggle membershipId={me.membership.id} />}
            <NotificationsBell />
            <LanguagePicker />
            <span className="topbar-divider" aria-hidden="true" />
            <span className="topbar-user">
              <Avatar name={me.user.name} seed={me.user.id} size={28} />
              <span className="topbar-user-name">{me.user.name}</span>
            </span>
            <LogoutButton />
          </div>
        </header>
        <QualityBanner />
        <main className={`content${flush ? ' content-flush' : ''}`}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function LogoutButton() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await session.logout();
        navigate('/login', { replace: true });
      }}
    >
      <Icon name="logout" size={16} />
      {t('shell.logout')}
    </button>
  );
}

export function BusinessSwitcher() {
  const { t } = useTranslation();
  const session = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const me = session.me!;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const others = me.memberships.length > 1;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const current = (
    <>
      <span className="business-mark" aria-hidden="true">
        <Icon name="building" size={16} />
      </span>
      <span className="business-text">
        <span className="business-label">{t('shell.business')}</span>
        <span className="business-name" data-testid="current-business">
          {me.tenant.name}
        </span>
      </span>
    </>
  );

  if (!others) return <div className="business-switcher business-static">{current}</div>;

  return (
    <div className="business-switcher" ref={root}>
      <button
        type="button"
        className="business-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('shell.switchBusiness')}
        disabled={busy}
        onClick={() => setOpen((o) => !o)}
      >
        {current}
        <Icon name="chevronDown" size={16} />
      </button>
      {open && (
        <div className="menu" role="menu" aria-label={t('shell.yourBusinesses')}>
          <div className="menu-title">{t('shell.yourBusinesses')}</div>
          {me.memberships.map((m) => {
            const active = m.tenant_id === me.tenant.id;
            return (
              <button
                key={m.tenant_id}
                type="button"
                role="menuitemradio"
                aria-checked={active}
                className={`menu-item${active ? ' menu-item-active' : ''}`}
                onClick={async () => {
                  setOpen(false);
                  if (active) return;
                  setBusy(true);
                  try {
                    await session.switchTenant(m.tenant_id);
                    toast.success(t('shell.switched', { business: m.tenant_name }));
                    navigate('/inbox');
                  } catch (e) {
                    toast.error(describeError(t, e));
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                <span className="menu-item-main">
                  <span className="menu-item-name">{m.tenant_name}</span>
                  <span className="menu-item-sub">{roleLabel(t, m.role_name)}</span>
                </span>
                {active && <Icon name="check" size={16} />}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
