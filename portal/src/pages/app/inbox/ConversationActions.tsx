// The open conversation's header actions: who handles it (claim it, or assign it to someone),
// and where it stands (resolve, reopen, mark pending). Buttons follow the person's permissions:
// claiming and status changes need conversations:reply, assigning others (or taking over from
// someone) needs conversations:assign; the server has the last word (a claim race is a 409 that
// names the winner, shown here).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { conversations, isApiError, type Agent, type Conversation, type ConversationChanges } from '../../../api';
import { useSession } from '../../../auth/session';
import { Avatar } from '../../../components/Avatar';
import { Icon } from '../../../components/Icon';
import { describeError } from '../../../lib/errors';

/** Who may do what with a conversation, from the person's permissions and who holds it. */
export function conversationAbilities(opts: { can: (p: string) => boolean; myId: string | undefined; assigneeId: string | null }) {
  const reply = opts.can('conversations:reply');
  const assign = opts.can('conversations:assign');
  const mine = Boolean(opts.myId) && opts.assigneeId === opts.myId;
  return {
    /** "Assign to me": free conversations for anyone who replies; someone else's only with assign. */
    claim: !mine && (assign || (reply && opts.assigneeId === null)),
    /** The picker (others, unassign). */
    assign,
    status: reply,
  };
}

/** The sentence for a failed change; a lost claim race names who won. */
export function changeErrorMessage(t: (k: string, o?: Record<string, unknown>) => string, e: unknown): string {
  if (isApiError(e) && e.code === 'already_assigned') {
    const m = /^(.+?) is already handling/.exec(e.message);
    return m && m[1] !== 'Someone else' ? t('inbox.actions.alreadyAssignedTo', { name: m[1] }) : t('inbox.actions.alreadyAssigned');
  }
  if (isApiError(e) && e.code === 'conversation_open_elsewhere') return t('inbox.actions.openElsewhere');
  return describeError(t as never, e);
}

function Dropdown({ label, button, children, align = 'end', testId }: { label: string; button: ReactNode; children: (close: () => void) => ReactNode; align?: 'start' | 'end'; testId?: string }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
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
  return (
    <div className="dropdown" ref={root}>
      <button
        type="button"
        className="btn btn-secondary btn-sm dropdown-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={label}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
      >
        {button}
      </button>
      {open && (
        <div className={`menu dropdown-menu dropdown-${align}`} role="menu" aria-label={label}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

export function ConversationActions({
  conversation: conv,
  agents,
  onChanged,
}: {
  conversation: Conversation;
  /** Active agents for the picker (empty when the person may not list them). */
  agents: Agent[];
  onChanged: (c: Conversation) => void;
}) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const myId = me?.membership.id;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const able = conversationAbilities({ can, myId, assigneeId: conv.assignee_id });

  useEffect(() => setError(null), [conv.id]);

  async function change(changes: ConversationChanges) {
    setBusy(true);
    setError(null);
    try {
      onChanged(await conversations.update(conv.id, changes));
    } catch (e) {
      setError(changeErrorMessage(t, e));
      // Show who holds it now.
      try {
        onChanged(await conversations.get(conv.id));
      } catch {
        // keep what we have
      }
    } finally {
      setBusy(false);
    }
  }

  const assigneeName =
    conv.assignee_id === null
      ? null
      : conv.assignee_id === myId
        ? t('inbox.actions.you')
        : (conv.assignee_name ?? agents.find((a) => a.id === conv.assignee_id)?.name ?? t('inbox.actions.someone'));
  const current = (
    <>
      {conv.assignee_id ? (
        <Avatar name={conv.assignee_id === myId ? (me?.user.name ?? '?') : (assigneeName ?? '?')} seed={conv.assignee_id} size={20} />
      ) : (
        <Icon name="user" size={15} />
      )}
      <span className="assignee-name" data-testid="assignee">
        {assigneeName ?? t('inbox.actions.unassigned')}
      </span>
    </>
  );
  const others = agents.filter((a) => a.status === 'active' && a.id !== myId);

  return (
    <div className="conv-actions" data-testid="conversation-actions">
      {able.assign ? (
        <Dropdown label={t('inbox.actions.assignee')} testId="assignee-picker" button={<>{current}<Icon name="chevronDown" size={14} /></>}>
          {(close) => (
            <>
              <div className="menu-title">{t('inbox.actions.assignTo')}</div>
              {conv.assignee_id !== myId && (
                <button
                  type="button"
                  role="menuitem"
                  className="menu-item"
                  onClick={() => {
                    close();
                    void change({ assignee_id: myId });
                  }}
                >
                  <span className="menu-item-name">{t('inbox.actions.assignToMe')}</span>
                </button>
              )}
              {others.map((a) => (
                <button
                  key={a.id}
                  type="button"
                  role="menuitemradio"
                  aria-checked={conv.assignee_id === a.id}
                  className={`menu-item${conv.assignee_id === a.id ? ' menu-item-active' : ''}`}
                  onClick={() => {
                    close();
                    if (conv.assignee_id !== a.id) void change({ assignee_id: a.id });
                  }}
                >
                  <Avatar name={a.name} seed={a.id} size={22} />
                  <span className="menu-item-main">
                    <span className="menu-item-name">{a.name}</span>
                    <span className="menu-item-sub">{a.email}</span>
                  </span>
                  {conv.assignee_id === a.id && <Icon name="check" size={15} />}
                </button>
              ))}
              {conv.assignee_id !== null && (
                <button
                  type="button"
                  role="menuitem"
                  className="menu-item"
                  onClick={() => {
                    close();
                    void change({ assignee_id: null });
                  }}
                >
                  <span className="menu-item-name">{t('inbox.actions.unassign')}</span>
                </button>
              )}
            </>
          )}
        </Dropdown>
      ) : (
        <span className="assignee-static" title={t('inbox.actions.assignee')}>
          {current}
        </span>
      )}
      {able.claim && conv.assignee_id === null && (
        <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void change({ assignee_id: myId })}>
          <Icon name="userPlus" size={15} />
          {t('inbox.actions.assignToMe')}
        </button>
      )}
      {able.status &&
        (conv.status === 'resolved' ? (
          <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void change({ status: 'open' })}>
            <Icon name="rotate" size={15} />
            {t('inbox.actions.reopen')}
          </button>
        ) : (
          <>
            <button type="button" className="btn btn-primary btn-sm" disabled={busy} onClick={() => void change({ status: 'resolved' })}>
              <Icon name="check" size={15} />
              {t('inbox.actions.resolve')}
            </button>
            <Dropdown label={t('inbox.actions.more')} button={<Icon name="more" size={18} strokeWidth={3} />}>
              {(close) =>
                conv.status === 'pending' ? (
                  <button
                    type="button"
                    role="menuitem"
                    className="menu-item"
                    onClick={() => {
                      close();
                      void change({ status: 'open' });
                    }}
                  >
                    <span className="menu-item-name">{t('inbox.actions.markOpen')}</span>
                  </button>
                ) : (
                  <button
                    type="button"
                    role="menuitem"
                    className="menu-item"
                    onClick={() => {
                      close();
                      void change({ status: 'pending' });
                    }}
                  >
                    <span className="menu-item-name">{t('inbox.actions.markPending')}</span>
                  </button>
                )
              }
            </Dropdown>
          </>
        ))}
      {error && (
        <div className="conv-actions-error" role="alert" data-testid="conversation-action-error">
          <Icon name="alert" size={14} />
          <span>{error}</span>
          <button type="button" className="icon-button icon-button-sm" onClick={() => setError(null)} aria-label={t('common.close')}>
            <Icon name="x" size={14} />
          </button>
        </div>
      )}
    </div>
  );
}
