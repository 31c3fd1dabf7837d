import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';
import { LanguagePicker } from './LanguagePicker';
import { Logo } from './Logo';
import { useDocumentTitle } from '../lib/useDocumentTitle';

/** The frame of every public page: a brand panel on wide screens and the form card. */
export function AuthLayout({ title, subtitle, children, footer }: {
  title?: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const { t } = useTranslation();
  useDocumentTitle(title);
  return (
    <div className="auth-page">
      <aside className="auth-aside">
        <Logo size={36} />
        <div className="auth-aside-content">
          <h2 className="auth-aside-headline">{t('auth.side.headline')}</h2>
          <ul className="auth-points">
            {(['point1', 'point2', 'point3'] as const).map((k) => (
              <li key={k}>
                <span className="auth-point-icon">
                  <Icon name="check" size={14} />
                </span>
                {t(`auth.side.${k}`)}
              </li>
            ))}
          </ul>
        </div>
        <p className="auth-aside-foot">© Chorus</p>
      </aside>
      <main className="auth-main">
        <div className="auth-topbar">
          <span className="auth-mobile-logo">
            <Logo size={28} />
          </span>
          <LanguagePicker compact />
        </div>
        <div className="auth-center">
          <div className="auth-card">
            {title && <h1 className="auth-title">{title}</h1>}
            {subtitle && <p className="auth-subtitle">{subtitle}</p>}
            {children}
          </div>
          {footer && <div className="auth-footer">{footer}</div>}
        </div>
      </main>
    </div>
  );
}

export function AuthStatus({ icon, tone, title, children }: {
  icon: 'mail' | 'checkCircle' | 'alert' | 'lock';
  tone: 'brand' | 'success' | 'danger';
  title: ReactNode;
  children?: ReactNode;
}) {
  useDocumentTitle(title);
  return (
    <div className="auth-status">
      <div className={`auth-status-icon auth-status-${tone}`}>
        <Icon name={icon} size={26} />
      </div>
      <h1 className="auth-title">{title}</h1>
      {children}
    </div>
  );
}
