// Internal timeline items (`direction: "internal"`): notes, on a yellow card that can never be
// mistaken for a customer message, with mentions highlighted; activity as small grey lines.
import { useTranslation } from 'react-i18next';
import type { Message } from '../../../api';
import { Icon } from '../../../components/Icon';
import { splitMentions } from '../../../lib/mentions';
import { clockTime, fullDateTime } from '../../../lib/time';

function mentionNames(m: Message): string[] {
  const list = (m.content as { mentions?: unknown } | null)?.mentions;
  if (!Array.isArray(list)) return [];
  return list.map((x) => (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : '')).filter(Boolean);
}

export function NoteItem({ message: m, author }: { message: Message; author: string }) {
  const { t } = useTranslation();
  const parts = splitMentions(m.body ?? '', mentionNames(m));
  return (
    <div className="note-item" id={`msg-${m.id}`} data-testid="note" data-direction="internal" data-kind="note">
      <div className="note-card">
        <div className="note-head">
          <Icon name="lock" size={12} />
          <span className="note-label">{author ? t('inbox.timeline.noteBy', { name: author }) : t('inbox.timeline.note')}</span>
          <time className="note-time" dateTime={m.sent_at} title={fullDateTime(m.sent_at)}>
            {clockTime(m.sent_at)}
          </time>
        </div>
        <div className="note-body">
          {parts.map((p, i) =>
            p.mention ? (
              <span key={i} className="mention" data-testid="mention">
                {p.text}
              </span>
            ) : (
              <span key={i}>{p.text}</span>
            ),
          )}
        </div>
      </div>
    </div>
  );
}

/** The activity's `content.action` (e.g. `sla_breached`), when it has one. */
export function activityAction(m: Pick<Message, 'content'>): string | null {
  const a = (m.content as { action?: unknown } | null)?.action;
  return typeof a === 'string' ? a : null;
}

const SLA_ACTIONS: Record<string, { tone: string; icon: 'alert' | 'clock' | 'checkCircle' | 'ban' }> = {
  sla_breached: { tone: 'activity-sla-breached', icon: 'alert' },
  sla_escalated: { tone: 'activity-sla-escalated', icon: 'clock' },
  // Chorus resolved it after the customer stayed silent (workflow settings).
  auto_resolved: { tone: 'activity-auto-resolved', icon: 'checkCircle' },
  // The customer opted out of marketing (an opt-out keyword, or Meta's 131050); the server's
  // sentence in `body` says which.
  opted_out: { tone: 'activity-opted-out', icon: 'ban' },
};

export function ActivityItem({ message: m }: { message: Message }) {
  const action = activityAction(m);
  const sla = action ? SLA_ACTIONS[action] : undefined;
  return (
    <div className={`activity-item${sla ? ` ${sla.tone}` : ''}`} id={`msg-${m.id}`} data-testid="activity" data-direction="internal" data-kind="activity" data-action={action ?? undefined}>
      <span className="activity-text">
        {sla && <Icon name={sla.icon} size={12} />}
        {m.body}
        <time dateTime={m.sent_at} title={fullDateTime(m.sent_at)}>
          {' · '}
          {clockTime(m.sent_at)}
        </time>
      </span>
    </div>
  );
}
