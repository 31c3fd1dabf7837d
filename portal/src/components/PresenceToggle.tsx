// Online / away in the top bar (`PUT /api/v1/me/presence`). The choice is remembered in this
// browser and told to the server when the app opens; hidden when the server has no presence.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isMissingEndpoint, presence as api, type PresenceStatus } from '../api';
import { markMissing, useFeature } from '../lib/features';
import { useRealtimeEvents } from '../lib/RealtimeProvider';

const KEY = 'chorus.availability';

function remembered(): 'online' | 'away' {
  try {
    return localStorage.getItem(KEY) === 'away' ? 'away' : 'online';
  } catch {
    return 'online';
  }
}

export function PresenceToggle({ membershipId }: { membershipId?: string }) {
  const { t } = useTranslation();
  const available = useFeature('presence');
  const [choice, setChoice] = useState<'online' | 'away'>(remembered);
  const [status, setStatus] = useState<PresenceStatus | string | null>(null);
  const [busy, setBusy] = useState(false);

  async function apply(next: 'online' | 'away') {
    setBusy(true);
    try {
      const r = await api.set(next);
      setStatus(r?.status ?? next);
    } catch (e) {
      if (isMissingEndpoint(e)) markMissing('presence');
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    void apply(remembered());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [membershipId]);

  useRealtimeEvents((e) => {
    if (e.kind === 'presence' && e.data && e.data.membership_id === membershipId && typeof e.data.status === 'string') setStatus(e.data.status);
  });

  if (!available || status === null) return null;
  const shown = status === 'online' || status === 'away' || status === 'offline' ? status : choice;
  return (
    <div className="presence-toggle" role="group" aria-label={t('presence.label')} data-testid="presence-toggle">
      {(['online', 'away'] as const).map((v) => (
        <button
          key={v}
          type="button"
          className={`presence-option${choice === v ? ' presence-option-active' : ''}`}
          aria-pressed={choice === v}
          disabled={busy}
          title={v === 'online' ? t('presence.hintOnline') : t('presence.hintAway')}
          onClick={() => {
            if (choice === v) return;
            setChoice(v);
            try {
              localStorage.setItem(KEY, v);
            } catch {
              // private mode
            }
            void apply(v);
          }}
        >
          <span className={`presence-dot presence-${v === choice ? shown : v}`} aria-hidden="true" />
          {v === 'online' ? t('presence.setOnline') : t('presence.setAway')}
        </button>
      ))}
    </div>
  );
}
