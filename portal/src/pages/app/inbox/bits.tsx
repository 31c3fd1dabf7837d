// Small pieces shared by the list, the header and the contact panel.
import { useTranslation } from 'react-i18next';
import type { Conversation, ConversationSla, ConversationTag, PresenceStatus } from '../../../api';
import { Icon } from '../../../components/Icon';
import { readableOn } from '../../../lib/format';
import { useNow } from '../../../lib/live';
import { compactDuration, soonestDue } from '../../../lib/sla';
import { fullDateTime } from '../../../lib/time';

export function tagColour(tag: ConversationTag): string {
  const c = tag.color ?? tag.colour;
  return c && /^#[0-9a-f]{6}$/i.test(c) ? c : '#475569';
}

export function TagPills({ tags, max = 3, size = 'sm' }: { tags: ConversationTag[] | undefined; max?: number; size?: 'sm' | 'md' }) {
  if (!tags || tags.length === 0) return null;
  const shown = tags.slice(0, max);
  return (
    <span className={`tag-pills tag-pills-${size}`} data-testid="conversation-tags">
      {shown.map((tag) => {
        const bg = tagColour(tag);
        return (
          <span key={tag.id} className="tag-pill" style={{ background: bg, color: readableOn(bg) }} title={tag.name}>
            {tag.name}
          </span>
        );
      })}
      {tags.length > max && <span className="tag-pill tag-pill-more">+{tags.length - max}</span>}
    </span>
  );
}

/** A coloured flag with the priority's name; nothing for "none". */
export function PriorityBadge({ priority, showNone = false }: { priority: Conversation['priority']; showNone?: boolean }) {
  const { t } = useTranslation();
  if (!priority || (priority === 'none' && !showNone)) return null;
  return (
    <span className={`priority priority-${priority}`} data-testid="priority">
      <span className="priority-dot" aria-hidden="true" />
      {t(`inbox.priority.${priority}`, { defaultValue: priority })}
    </span>
  );
}

export function PresenceDot({ status, name }: { status: PresenceStatus | (string & {}) | undefined; name?: string }) {
  const { t } = useTranslation();
  if (!status) return null;
  const label = t(`presence.${status}`, { defaultValue: status });
  return (
    <span
      className={`presence-dot presence-${status}`}
      role="img"
      aria-label={name ? t('presence.statusOf', { name, status: label }) : label}
      title={label}
      data-testid="presence-dot"
    />
  );
}

/** Whether the server speaks issue 4 (the conversation has a priority). */
export function hasTeamInbox(c: Conversation | null | undefined): boolean {
  return Boolean(c) && c!.priority !== undefined;
}

/**
 * The SLA at a glance: "At risk" (amber), "Breached" (red), or on track a countdown to the
 * soonest due time ("Reply in 12m", "Resolve in 3h"). Nothing without an SLA, or once it is met.
 */
export function SlaBadge({ sla, testId = 'sla-badge' }: { sla: ConversationSla | null | undefined; testId?: string }) {
  const { t } = useTranslation();
  useNow(30_000); // re-render regularly; the time itself is read fresh below
  if (!sla) return null;
  const due = soonestDue(sla);
  const title = due ? t(due.kind === 'reply' ? 'sla.badge.replyBy' : 'sla.badge.resolveBy', { time: fullDateTime(due.at) }) : undefined;
  if (sla.status === 'breached') {
    const what = sla.breaches.map((b) => t(`sla.targets.${b}`, { defaultValue: b })).join(', ');
    return (
      <span className="sla-badge sla-breached" data-testid={testId} data-sla="breached" title={what ? t('sla.badge.breachedOf', { what }) : title}>
        <Icon name="alert" size={12} />
        {t('sla.badge.breached')}
      </span>
    );
  }
  if (sla.status === 'at_risk') {
    return (
      <span className="sla-badge sla-at-risk" data-testid={testId} data-sla="at_risk" title={title}>
        <Icon name="clock" size={12} />
        {t('sla.badge.atRisk')}
      </span>
    );
  }
  if (sla.status !== 'on_track' || !due) return null;
  const left = Date.parse(due.at) - Date.now();
  const label =
    left <= 0
      ? t(due.kind === 'reply' ? 'sla.badge.replyNow' : 'sla.badge.resolveNow')
      : t(due.kind === 'reply' ? 'sla.badge.replyIn' : 'sla.badge.resolveIn', { time: compactDuration(left) });
  return (
    <span className="sla-badge sla-on-track" data-testid={testId} data-sla="on_track" title={title}>
      <Icon name="clock" size={12} />
      {label}
    </span>
  );
}
