// The app-wide warning, for people who manage numbers, when a connected number's quality rating
// is YELLOW or RED (from `GET /api/v1/numbers`; reloaded on `number.quality` realtime events).
// Dismissing it hides it for the browser session, until the set of worrying numbers changes.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { numbers as numbersApi, type WhatsAppNumber } from '../api';
import { useSession } from '../auth/session';
import { formatPhone } from '../lib/phone';
import { useRealtimeEvents } from '../lib/RealtimeProvider';
import { useLoader } from '../lib/useLoader';
import { Icon } from './Icon';
import '../supervision.css';

const STORAGE_KEY = 'chorus.qualityBanner.dismissed';

/** Connected numbers rated YELLOW or RED. */
export function worryingNumbers(list: WhatsAppNumber[]): WhatsAppNumber[] {
  return list.filter((n) => n.status === 'connected' && /^(YELLOW|RED)$/i.test(n.quality_rating ?? ''));
}

function signature(list: WhatsAppNumber[]): string {
  return list
    .map((n) => `${n.id}:${(n.quality_rating ?? '').toUpperCase()}`)
    .sort()
    .join(',');
}

function readDismissed(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function QualityBanner() {
  const { can } = useSession();
  const allowed = can('numbers:manage');
  if (!allowed) return null;
  return <Banner />;
}

function Banner() {
  const { t } = useTranslation();
  const list = useLoader(() => numbersApi.list().catch(() => [] as WhatsAppNumber[]));
  const [dismissed, setDismissed] = useState<string | null>(readDismissed);
  useRealtimeEvents((e) => {
    if (e.kind === 'number.quality') void list.reload();
  });
  const bad = worryingNumbers(list.data ?? []);
  const sig = signature(bad);
  if (bad.length === 0 || dismissed === sig) return null;
  const red = bad.some((n) => n.quality_rating?.toUpperCase() === 'RED');
  const names = bad.map((n) => formatPhone(n.display_phone_number) || n.display_phone_number).join(', ');
  return (
    <div className={`quality-banner${red ? ' quality-banner-red' : ''}`} role="status" data-testid="quality-banner">
      <Icon name="alert" size={17} />
      <span className="quality-banner-text">
        {t(red ? 'qualityBanner.red' : 'qualityBanner.yellow', { numbers: names })}{' '}
        <Link to="/settings/numbers">{t('qualityBanner.open')}</Link>
      </span>
      <button
        type="button"
        className="icon-button icon-button-sm"
        aria-label={t('qualityBanner.dismiss')}
        title={t('qualityBanner.dismiss')}
        onClick={() => {
          try {
            sessionStorage.setItem(STORAGE_KEY, sig);
          } catch {
            // private mode: dismissed until the next reload
          }
          setDismissed(sig);
        }}
      >
        <Icon name="x" size={15} />
      </button>
    </div>
  );
}
