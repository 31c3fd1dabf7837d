// A number's quality (`GET /api/v1/numbers/{id}/quality?hours=`, numbers:manage or reports:view):
// Meta's rating and messaging limit, and how the number's sends fared in the last 24 hours,
// 7 days or 30 days, with the failures grouped by error code and explained.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhatsAppNumber } from '../../../api';
import { numberQuality, type NumberQuality } from '../../../api/supervision';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageLoading } from '../../../components/Spinner';
import i18n from '../../../i18n';
import { formatPhone } from '../../../lib/phone';
import { fullDateTime } from '../../../lib/time';
import { useLoader } from '../../../lib/useLoader';
import { messagingLimitLabel } from './NumbersPage';
import '../../../supervision.css';

export const QUALITY_WINDOWS = [
  { hours: 24, key: 'hours24' },
  { hours: 168, key: 'days7' },
  { hours: 720, key: 'days30' },
] as const;

const TONES: Record<string, BadgeTone> = { GREEN: 'success', YELLOW: 'warning', RED: 'danger' };

/** GREEN, YELLOW, RED; anything else (UNKNOWN, null) is "not rated". */
export function ratingKey(rating: string | null | undefined): 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN' {
  const r = (rating ?? '').toUpperCase();
  return r === 'GREEN' || r === 'YELLOW' || r === 'RED' ? r : 'UNKNOWN';
}

export function QualityBadge({ rating }: { rating: string | null | undefined }) {
  const { t } = useTranslation();
  const key = ratingKey(rating);
  return (
    <span data-testid="quality-rating" data-rating={key}>
      <Badge tone={TONES[key] ?? 'neutral'}>{t(`numberQuality.ratings.${key}`)}</Badge>
    </span>
  );
}

function percent(rate: number): string {
  return new Intl.NumberFormat(i18n.resolvedLanguage || 'en', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function QualityDialog({ number, onClose }: { number: WhatsAppNumber; onClose: () => void }) {
  const { t } = useTranslation();
  const [hours, setHours] = useState<number>(24);
  const quality = useLoader(() => numberQuality.get(number.id, hours), [number.id, hours]);
  const phone = formatPhone(number.display_phone_number) || number.display_phone_number;
  return (
    <Modal title={t('numberQuality.title', { number: phone })} subtitle={t('numberQuality.subtitle')} onClose={onClose} size="lg">
      <div className="quality-window" role="group" aria-label={t('numberQuality.window')}>
        {QUALITY_WINDOWS.map((w) => (
          <button key={w.hours} type="button" aria-pressed={hours === w.hours} onClick={() => setHours(w.hours)}>
            {t(`numberQuality.${w.key}`)}
          </button>
        ))}
      </div>
      {quality.error && !quality.data ? (
        <LoadError error={quality.error} onRetry={quality.reload} />
      ) : !quality.data ? (
        <PageLoading label={t('common.loading')} />
      ) : (
        <QualityBody q={quality.data} stale={quality.loading} sandbox={number.sandbox} />
      )}
    </Modal>
  );
}

function QualityBody({ q, stale, sandbox }: { q: NumberQuality; stale: boolean; sandbox?: boolean }) {
  const { t } = useTranslation();
  const key = ratingKey(q.quality_rating);
  return (
    <div data-testid="number-quality" aria-busy={stale || undefined} style={stale ? { opacity: 0.6 } : undefined}>
      <div className="quality-summary">
        <div className="quality-stat">
          <div className="quality-stat-label">{t('numberQuality.rating')}</div>
          <div className="quality-stat-value">
            <QualityBadge rating={q.quality_rating} />
          </div>
          <div className="quality-stat-sub">{t(`numberQuality.ratingHint.${key}`)}</div>
        </div>
        <div className="quality-stat">
          <div className="quality-stat-label">{t('numberQuality.limit')}</div>
          <div className="quality-stat-value" data-testid="quality-limit">
            {sandbox && !q.messaging_limit ? t('numbers.limitSandbox') : messagingLimitLabel(t, q.messaging_limit)}
          </div>
        </div>
        <div className="quality-stat">
          <div className="quality-stat-label">{t('numberQuality.failureRate')}</div>
          <div className="quality-stat-value" data-testid="quality-failure-rate">
            {q.failure_rate == null ? t('common.none') : percent(q.failure_rate)}
          </div>
          <div className="quality-stat-sub" data-testid="quality-counts">
            {q.sent === 0 ? t('numberQuality.noSends') : t('numberQuality.sentCount', { sent: q.sent.toLocaleString(), failed: q.failed.toLocaleString() })}
          </div>
        </div>
      </div>
      <h3 className="section-title" style={{ fontSize: 15, marginBottom: 8 }}>
        {t('numberQuality.byCode')}
      </h3>
      {q.by_code.length === 0 ? (
        <div className="quality-good">
          <Icon name="check" size={16} />
          {t('numberQuality.noFailures')}
        </div>
      ) : (
        <div className="quality-codes">
          <table className="table">
            <thead>
              <tr>
                <th>{t('numberQuality.colCode')}</th>
                <th>{t('numberQuality.colReason')}</th>
                <th className="num">{t('numberQuality.colCount')}</th>
              </tr>
            </thead>
            <tbody>
              {q.by_code.map((c, i) => (
                <tr key={`${c.code ?? 'none'}-${i}`} data-testid="quality-code">
                  <td className="quality-code">{c.code ?? t('common.none')}</td>
                  <td>
                    {c.title && <div className="strong">{c.title}</div>}
                    <div className="muted">{c.explanation}</div>
                  </td>
                  <td className="num">{c.count.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small" style={{ marginTop: 12 }} title={fullDateTime(q.since)}>
        {t('numberQuality.since', { date: fullDateTime(q.since) })}
      </p>
    </div>
  );
}
