// Business hours (`/settings/business-hours`, settings:manage): the weekly schedule (several
// periods a day; a period that ends at or before its start runs past midnight), the time zone,
// holidays, the greeting for new conversations inside hours and the away message outside them
// (once per cooldown). A number may have its own schedule, which wins over the business's;
// removing it (DELETE /business-hours/numbers/{id}) makes it follow the business again. The
// server's field errors (422 `error.fields`) show next to their fields.
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { businessHours, numbers as numbersApi, type Holiday, type HoursPeriod, type HoursSettings, type HoursView, type Weekday } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge } from '../../../components/Badge';
import { TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';

export const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FIELDS = ['time_zone', 'periods', 'holidays', 'greeting_text', 'away_text', 'away_cooldown_hours'];

/** Ends the next day: the end is at or before the start (00:00–00:00 is the whole day). */
export function runsPastMidnight(p: Pick<HoursPeriod, 'start' | 'end'>): boolean {
  if (!p.start || !p.end) return false;
  if (p.start === '00:00' && p.end === '00:00') return false;
  return p.end <= p.start;
}

function zones(): string[] {
  try {
    const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    return f ? f('timeZone') : [];
  } catch {
    return [];
  }
}

interface Draft {
  time_zone: string;
  periods: HoursPeriod[];
  holidays: Holiday[];
  greeting_enabled: boolean;
  greeting_text: string;
  away_enabled: boolean;
  away_text: string;
  away_cooldown_hours: string;
}

function toDraft(s: HoursSettings | undefined, zone: string): Draft {
  return {
    time_zone: s?.time_zone || zone,
    periods: s?.periods ?? WEEKDAYS.slice(0, 5).map((day) => ({ day, start: '09:00', end: '18:00' })),
    holidays: s?.holidays ?? [],
    greeting_enabled: s?.greeting_enabled ?? false,
    greeting_text: s?.greeting_text ?? '',
    away_enabled: s?.away_enabled ?? false,
    away_text: s?.away_text ?? '',
    away_cooldown_hours: String(s?.away_cooldown_hours ?? 12),
  };
}

function toBody(d: Draft, numberId: string | null): HoursSettings {
  const cooldown = Number(d.away_cooldown_hours);
  return {
    ...(numberId ? { number_id: numberId } : {}),
    time_zone: d.time_zone.trim() || null,
    periods: d.periods.map((p) => ({ day: p.day, start: p.start, end: p.end })),
    holidays: d.holidays.map((h) => ({ date: h.date, ...(h.name?.trim() ? { name: h.name.trim() } : {}) })),
    greeting_enabled: d.greeting_enabled,
    greeting_text: d.greeting_text.trim() || null,
    away_enabled: d.away_enabled,
    away_text: d.away_text.trim() || null,
    away_cooldown_hours: d.away_cooldown_hours.trim() && Number.isFinite(cooldown) ? Math.round(cooldown) : null,
  };
}

export function BusinessHoursPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const allowed = can('settings:manage');
  const list = useLoader(() => (allowed ? businessHours.list() : Promise.resolve([] as HoursView[])), [allowed]);
  const numbers = useLoader(() => (allowed ? numbersApi.list().catch(() => []) : Promise.resolve([])), [allowed]);
  const [scope, setScope] = useState<string>(''); // '' = the whole business, else a number id

  if (!allowed) return <Forbidden />;
  const businessZone = me?.tenant.time_zone || 'UTC';
  const views = list.data ?? [];
  const business = views.find((v) => !v.settings.number_id);
  const own = scope ? views.find((v) => v.settings.number_id === scope) : business;

  return (
    <div className="page">
      <PageHeader
        title={t('hours.title')}
        subtitle={t('hours.subtitle')}
        actions={
          own ? (
            <span data-testid="open-now">
              <Badge tone={own.open_now ? 'success' : 'warning'}>{own.open_now ? t('hours.openNow') : t('hours.closedNow')}</Badge>
            </span>
          ) : null
        }
      />
      {list.loading && !list.data ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : list.error && !list.data ? (
        <div className="card">
          <LoadError error={list.error} onRetry={list.reload} />
        </div>
      ) : (
        <>
          {(numbers.data?.length ?? 0) > 0 && (
            <div className="card hours-scope">
              <label className="field-label" htmlFor="hours-scope">
                {t('hours.scope')}
              </label>
              <select id="hours-scope" className="input" value={scope} onChange={(e) => setScope(e.target.value)}>
                <option value="">{t('hours.scopeBusiness')}</option>
                {numbers.data!.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.verified_name || n.display_phone_number}
                    {views.some((v) => v.settings.number_id === n.id) ? ` · ${t('hours.ownSchedule')}` : ''}
                  </option>
                ))}
              </select>
              <p className="field-hint">{t('hours.scopeHint')}</p>
            </div>
          )}
          {scope && !own ? (
            <div className="card hours-follow" data-testid="hours-follows-business">
              <p>{t('hours.followsBusiness')}</p>
              <NumberOverrideStart
                onStart={() =>
                  list.setData((prev) => [
                    ...(prev ?? []),
                    { settings: { ...(business?.settings ?? toBody(toDraft(undefined, businessZone), null)), number_id: scope }, open_now: business?.open_now ?? false, updated_at: '' },
                  ])
                }
              />
            </div>
          ) : (
            <HoursForm
              key={`${scope}:${own?.updated_at ?? 'new'}`}
              view={own}
              numberId={scope || null}
              businessZone={businessZone}
              onSaved={(saved) =>
                list.setData((prev) => {
                  const rest = (prev ?? []).filter((v) => (v.settings.number_id ?? null) !== (saved.settings.number_id ?? null));
                  return [...rest, saved];
                })
              }
              onRemoved={() => list.setData((prev) => (prev ?? []).filter((v) => v.settings.number_id !== scope))}
            />
          )}
        </>
      )}
    </div>
  );
}

function NumberOverrideStart({ onStart }: { onStart: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="btn btn-secondary" onClick={onStart}>
      <Icon name="clock" size={16} />
      {t('hours.setOwn')}
    </button>
  );
}

function HoursForm({
  view,
  numberId,
  businessZone,
  onSaved,
  onRemoved,
}: {
  view: HoursView | undefined;
  numberId: string | null;
  businessZone: string;
  onSaved: (v: HoursView) => void;
  onRemoved: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [draft, setDraft] = useState<Draft>(() => toDraft(view?.settings, businessZone));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zoneList = useMemo(zones, []);
  const zonesId = useId();
  const greetingId = useId();
  const awayId = useId();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const persisted = Boolean(view?.updated_at);

  useEffect(() => setErrors({}), [numberId]);

  function setPeriod(i: number, patch: Partial<HoursPeriod>) {
    set({ periods: draft.periods.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  }

  async function save() {
    const local: Record<string, string> = {};
    if (draft.periods.some((p) => !p.start || !p.end)) local.periods = t('hours.timesRequired');
    if (draft.periods.some((p) => p.start && p.start === p.end && p.start !== '00:00')) local.periods = t('hours.sameTimes');
    if (draft.holidays.some((h) => !h.date)) local.holidays = t('hours.holidayDateRequired');
    if (draft.greeting_enabled && !draft.greeting_text.trim()) local.greeting_text = t('hours.messageRequired');
    if (draft.away_enabled && !draft.away_text.trim()) local.away_text = t('hours.messageRequired');
    const cooldown = Number(draft.away_cooldown_hours);
    if (!Number.isInteger(cooldown) || cooldown < 1 || cooldown > 168) local.away_cooldown_hours = t('hours.cooldownRange');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = await businessHours.save(toBody(draft, numberId));
      toast.success(t('hours.saved'));
      onSaved(saved);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, FIELDS);
      setErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  async function removeOwn() {
    if (!numberId) return;
    setBusy(true);
    try {
      if (persisted) await businessHours.removeNumber(numberId);
      toast.success(t('hours.removed'));
      onRemoved();
    } catch (e) {
      setFormError(splitApiError(t, e, []).form);
      setBusy(false);
    }
  }

  return (
    <form
      className="hours-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {formError && <Alert>{formError}</Alert>}
      {numberId && (
        <div className="card hours-own">
          <p>{t('hours.ownHint')}</p>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void removeOwn()} disabled={busy}>
            {t('hours.useBusiness')}
          </button>
        </div>
      )}

      <section className="card hours-section" aria-labelledby="hours-week">
        <h2 className="section-title" id="hours-week">
          {t('hours.week')}
        </h2>
        <p className="field-hint">{t('hours.weekHint')}</p>
        <TextField
          label={t('hours.timeZone')}
          name="time_zone"
          value={draft.time_zone}
          list={zonesId}
          placeholder={businessZone}
          hint={t('hours.timeZoneHint', { zone: businessZone })}
          error={errors.time_zone}
          onChange={(e) => set({ time_zone: e.target.value })}
        />
        <datalist id={zonesId}>
          {zoneList.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <div className="hours-week" data-testid="hours-week">
          {WEEKDAYS.map((day) => {
            const rows = draft.periods.map((p, i) => ({ p, i })).filter(({ p }) => p.day === day);
            const dayName = t(`hours.days.${day}`);
            return (
              <div className="hours-day" key={day} data-testid={`hours-day-${day}`}>
                <div className="hours-day-name">{dayName}</div>
                <div className="hours-periods">
                  {rows.length === 0 && <span className="muted">{t('hours.closedDay')}</span>}
                  {rows.map(({ p, i }, n) => (
                    <div className="hours-period" key={i}>
                      <input
                        type="time"
                        className="input input-time"
                        value={p.start}
                        aria-label={t('hours.from', { day: dayName, n: n + 1 })}
                        onChange={(e) => setPeriod(i, { start: e.target.value })}
                      />
                      <span aria-hidden="true">–</span>
                      <input
                        type="time"
                        className="input input-time"
                        value={p.end}
                        aria-label={t('hours.to', { day: dayName, n: n + 1 })}
                        onChange={(e) => setPeriod(i, { end: e.target.value })}
                      />
                      {runsPastMidnight(p) && (
                        <span className="hours-next-day" data-testid="next-day">
                          <Icon name="clock" size={13} />
                          {t('hours.nextDay')}
                        </span>
                      )}
                      <button
                        type="button"
                        className="icon-button icon-button-sm"
                        aria-label={t('hours.removePeriod', { day: dayName, n: n + 1 })}
                        title={t('hours.removePeriod', { day: dayName, n: n + 1 })}
                        onClick={() => set({ periods: draft.periods.filter((_, j) => j !== i) })}
                      >
                        <Icon name="x" size={15} />
                      </button>
                    </div>
                  ))}
                </div>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-label={t('hours.addPeriodFor', { day: dayName })}
                  onClick={() => {
                    const last = rows.at(-1)?.p;
                    const start = last ? last.end : '09:00';
                    set({ periods: [...draft.periods, { day, start, end: last ? '22:00' : '18:00' }] });
                  }}
                >
                  <Icon name="plus" size={14} />
                  {t('hours.addPeriod')}
                </button>
              </div>
            );
          })}
        </div>
        {errors.periods && (
          <p className="field-error" role="alert" data-testid="periods-error">
            {errors.periods}
          </p>
        )}
      </section>

      <section className="card hours-section" aria-labelledby="hours-holidays">
        <h2 className="section-title" id="hours-holidays">
          {t('hours.holidays')}
        </h2>
        <p className="field-hint">{t('hours.holidaysHint')}</p>
        {draft.holidays.length === 0 && <p className="muted">{t('hours.noHolidays')}</p>}
        {draft.holidays.map((h, i) => (
          <div className="hours-holiday" key={i}>
            <input
              type="date"
              className="input input-date"
              value={h.date}
              aria-label={t('hours.holidayDate', { n: i + 1 })}
              onChange={(e) => set({ holidays: draft.holidays.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)) })}
            />
            <input
              className="input"
              value={h.name ?? ''}
              maxLength={80}
              placeholder={t('hours.holidayNamePlaceholder')}
              aria-label={t('hours.holidayName', { n: i + 1 })}
              onChange={(e) => set({ holidays: draft.holidays.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
            />
            <button
              type="button"
              className="icon-button icon-button-sm"
              aria-label={t('hours.removeHoliday', { n: i + 1 })}
              title={t('hours.removeHoliday', { n: i + 1 })}
              onClick={() => set({ holidays: draft.holidays.filter((_, j) => j !== i) })}
            >
              <Icon name="x" size={15} />
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => set({ holidays: [...draft.holidays, { date: '', name: '' }] })}>
          <Icon name="plus" size={14} />
          {t('hours.addHoliday')}
        </button>
        {errors.holidays && (
          <p className="field-error" role="alert" data-testid="holidays-error">
            {errors.holidays}
          </p>
        )}
      </section>

      <section className="card hours-section" aria-labelledby="hours-auto">
        <h2 className="section-title" id="hours-auto">
          {t('hours.autoReplies')}
        </h2>
        <label className="check">
          <input type="checkbox" checked={draft.greeting_enabled} onChange={(e) => set({ greeting_enabled: e.target.checked })} />
          <span>{t('hours.greetingOn')}</span>
        </label>
        <div className="field">
          <label className="field-label" htmlFor={greetingId}>
            {t('hours.greetingText')}
          </label>
          <textarea
            id={greetingId}
            className="input textarea"
            rows={3}
            maxLength={1100}
            value={draft.greeting_text}
            aria-invalid={errors.greeting_text ? true : undefined}
            onChange={(e) => set({ greeting_text: e.target.value })}
          />
          {errors.greeting_text ? (
            <p className="field-error" role="alert">
              {errors.greeting_text}
            </p>
          ) : (
            <p className="field-hint">{t('hours.greetingHint')}</p>
          )}
        </div>
        <label className="check">
          <input type="checkbox" checked={draft.away_enabled} onChange={(e) => set({ away_enabled: e.target.checked })} />
          <span>{t('hours.awayOn')}</span>
        </label>
        <div className="field">
          <label className="field-label" htmlFor={awayId}>
            {t('hours.awayText')}
          </label>
          <textarea
            id={awayId}
            className="input textarea"
            rows={3}
            maxLength={1100}
            value={draft.away_text}
            aria-invalid={errors.away_text ? true : undefined}
            onChange={(e) => set({ away_text: e.target.value })}
          />
          {errors.away_text ? (
            <p className="field-error" role="alert">
              {errors.away_text}
            </p>
          ) : (
            <p className="field-hint">{t('hours.awayHint')}</p>
          )}
        </div>
        <TextField
          label={t('hours.cooldown')}
          name="away_cooldown_hours"
          type="number"
          min={1}
          max={168}
          className="input-narrow"
          value={draft.away_cooldown_hours}
          hint={t('hours.cooldownHint')}
          error={errors.away_cooldown_hours}
          onChange={(e) => set({ away_cooldown_hours: e.target.value })}
        />
      </section>

      <div className="hours-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('hours.save')}
        </button>
      </div>
    </form>
  );
}
