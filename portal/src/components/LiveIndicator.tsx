import { useTranslation } from 'react-i18next';
import { useRealtimeStatus } from '../lib/RealtimeProvider';

/** A dot telling whether updates arrive live (socket open) or by polling while it reconnects. */
export function LiveIndicator() {
  const { t } = useTranslation();
  const status = useRealtimeStatus();
  if (status === null || status === 'idle') return null;
  const state = status === 'open' ? 'live' : status === 'reconnecting' ? 'reconnecting' : 'connecting';
  const label = t(`live.${state}`);
  return (
    <span
      className={`live-indicator live-${state}`}
      role="img"
      aria-label={label}
      title={`${label} · ${t(`live.${state}Hint`)}`}
      data-testid="live-indicator"
      data-status={state}
    />
  );
}
