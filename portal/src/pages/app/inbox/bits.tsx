// Small pieces shared by the list, the header and the contact panel.
import { useTranslation } from 'react-i18next';
import type { Conversation, ConversationTag, PresenceStatus } from '../../../api';
import { readableOn } from '../../../lib/format';

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
