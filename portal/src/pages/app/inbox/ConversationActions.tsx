// The open conversation's header actions: who handles it (claim it, or assign it to someone),
// and where it stands (resolve, reopen, mark pending). Buttons follow the person's permissions:
// claiming and status changes need conversations:reply, assigning others (or taking over from
// someone) needs conversations:assign; the server has the last word (a claim race is a 409 that
// names the winner, shown here).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { conversations, isApiError, tags as tagsApi, teams as teamsApi, PRIORITIES, type Agent, type Conversation, type ConversationChanges, type Priority, type Tag, type Team } from '../../../api';
import { useSession } from '../../../auth/session';
import { Avatar } from '../../../components/Avatar';
import { Icon } from '../../../components/Icon';
import { Modal } from '../../../components/Modal';
import { describeError } from '../../../lib/errors';
import { inOneHour, nextWeek, toLocalInput, tomorrowNine } from '../../../lib/snooze';
import { fullDateTime } from '../../../lib/time';
import { hasTeamInbox, PresenceDot, PriorityBadge } from './bits';

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

function Dropdown({
  label,
  button,
  children,
  align = 'end',
  testId,
  openSignal,
  title,
}: {
  label: string;
  button: ReactNode;
  children: (close: () => void) => ReactNode;
  align?: 'start' | 'end';
  testId?: string;
  /** Opens the menu when it changes (keyboard shortcut). */
  openSignal?: number;
  title?: string;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!openSignal) return;
    setOpen(true);
    requestAnimationFrame(() => root.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus());
  }, [openSignal]);
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
        title={title}
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
  command = null,
}: {
  conversation: Conversation;
  /** Active agents for the picker (empty when the person may not list them). */
  agents: Agent[];
  onChanged: (c: Conversation) => void;
  /** A keyboard shortcut: `e` resolves, `a` opens the assignee picker. */
  command?: { name: 'resolve' | 'assign'; seq: number } | null;
}) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const myId = me?.membership.id;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const able = conversationAbilities({ can, myId, assigneeId: conv.assignee_id });

  const [dialog, setDialog] = useState<'snooze' | 'transfer' | 'tags' | null>(null);
  const [assignSignal, setAssignSignal] = useState(0);
  const rich = hasTeamInbox(conv);

  useEffect(() => setError(null), [conv.id]);

  useEffect(() => {
    if (!command) return;
    if (command.name === 'assign' && able.assign) setAssignSignal(command.seq);
    if (command.name === 'resolve' && able.status && conv.status !== 'resolved' && !busy) void change({ status: 'resolved' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [command?.seq]);

  async function change(changes: ConversationChanges, run: () => Promise<Conversation> = () => conversations.update(conv.id, changes)): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      onChanged(await run());
      return true;
    } catch (e) {
      setError(changeErrorMessage(t, e));
      // Show who holds it now.
      try {
        onChanged(await conversations.get(conv.id));
      } catch {
        // keep what we have
      }
      return false;
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
        <Dropdown label={t('inbox.actions.assignee')} testId="assignee-picker" openSignal={assignSignal} button={<>{current}<Icon name="chevronDown" size={14} /></>}>
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
                  <span className="avatar-with-presence">
                    <Avatar name={a.name} seed={a.id} size={22} />
                    <PresenceDot status={a.presence} name={a.name} />
                  </span>
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
            {rich && (
              <Dropdown
                label={t('inbox.priority.set')}
                title={t('inbox.priority.set')}
                testId="priority-picker"
                button={
                  <>
                    {conv.priority && conv.priority !== 'none' ? <PriorityBadge priority={conv.priority} /> : <Icon name="alert" size={15} />}
                    <Icon name="chevronDown" size={14} />
                  </>
                }
              >
                {(close) => (
                  <>
                    <div className="menu-title">{t('inbox.priority.label')}</div>
                    {PRIORITIES.map((p: Priority) => (
                      <button
                        key={p}
                        type="button"
                        role="menuitemradio"
                        aria-checked={(conv.priority ?? 'none') === p}
                        className={`menu-item${(conv.priority ?? 'none') === p ? ' menu-item-active' : ''}`}
                        onClick={() => {
                          close();
                          if ((conv.priority ?? 'none') !== p) void change({ priority: p });
                        }}
                      >
                        <span className={`priority priority-${p}`}>
                          <span className="priority-dot" aria-hidden="true" />
                          {t(`inbox.priority.${p}`)}
                        </span>
                        {(conv.priority ?? 'none') === p && <Icon name="check" size={15} />}
                      </button>
                    ))}
                  </>
                )}
              </Dropdown>
            )}
            {rich &&
              (conv.status === 'snoozed' ? (
                <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => void change({ status: 'open' })} title={conv.snoozed_until ? t('inbox.snooze.until', { time: fullDateTime(conv.snoozed_until) }) : undefined}>
                  <Icon name="clock" size={15} />
                  {t('inbox.snooze.wake')}
                </button>
              ) : (
                <Dropdown label={t('inbox.snooze.button')} title={t('inbox.snooze.button')} testId="snooze-picker" button={<Icon name="clock" size={16} />}>
                  {(close) => (
                    <>
                      <div className="menu-title">{t('inbox.snooze.title')}</div>
                      {[
                        { key: 'oneHour', at: () => inOneHour(new Date()) },
                        { key: 'tomorrow', at: () => tomorrowNine(new Date()) },
                        { key: 'nextWeek', at: () => nextWeek(new Date()) },
                      ].map((choice) => (
                        <button
                          key={choice.key}
                          type="button"
                          role="menuitem"
                          className="menu-item"
                          onClick={() => {
                            close();
                            void change({ status: 'snoozed', snoozed_until: choice.at().toISOString() });
                          }}
                        >
                          <span className="menu-item-name">{t(`inbox.snooze.${choice.key}`)}</span>
                        </button>
                      ))}
                      <button
                        type="button"
                        role="menuitem"
                        className="menu-item"
                        onClick={() => {
                          close();
                          setDialog('snooze');
                        }}
                      >
                        <span className="menu-item-name">{t('inbox.snooze.pick')}</span>
                      </button>
                    </>
                  )}
                </Dropdown>
              ))}
            <button type="button" className="btn btn-primary btn-sm" disabled={busy} onClick={() => void change({ status: 'resolved' })}>
              <Icon name="check" size={15} />
              {t('inbox.actions.resolve')}
            </button>
            <Dropdown label={t('inbox.actions.more')} button={<Icon name="more" size={18} strokeWidth={3} />}>
              {(close) => (
                <>
                {rich && (
                  <>
                    <button type="button" role="menuitem" className="menu-item" onClick={() => { close(); setDialog('transfer'); }}>
                      <Icon name="team" size={15} />
                      <span className="menu-item-name">{t('inbox.transfer.title')}</span>
                    </button>
                    <button type="button" role="menuitem" className="menu-item" onClick={() => { close(); setDialog('tags'); }}>
                      <Icon name="tag" size={15} />
                      <span className="menu-item-name">{t('inbox.tagsEditor.title')}</span>
                    </button>
                  </>
                )}
                {conv.status === 'pending' ? (
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
                )}
                </>
              )}
            </Dropdown>
          </>
        ))}
      {dialog === 'snooze' && (
        <SnoozeDialog
          busy={busy}
          onClose={() => setDialog(null)}
          onSnooze={async (until) => {
            if (await change({ status: 'snoozed', snoozed_until: until.toISOString() })) setDialog(null);
          }}
        />
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          conversation={conv}
          busy={busy}
          onClose={() => setDialog(null)}
          onTransfer={async (teamId, note) => {
            if (await change(note ? { team_id: teamId, note } : { team_id: teamId })) setDialog(null);
          }}
        />
      )}
      {dialog === 'tags' && (
        <TagsDialog
          conversation={conv}
          busy={busy}
          onClose={() => setDialog(null)}
          onSave={async (ids) => {
            if (await change({}, () => conversations.setTags(conv.id, ids))) setDialog(null);
          }}
        />
      )}
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

function SnoozeDialog({ busy, onClose, onSnooze }: { busy: boolean; onClose: () => void; onSnooze: (until: Date) => Promise<void> }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(() => toLocalInput(tomorrowNine(new Date())));
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <Modal
      title={t('inbox.snooze.title')}
      size="sm"
      busy={busy}
      onClose={onClose}
      onSubmit={(e) => {
        e.preventDefault();
        const at = new Date(value);
        if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
          setProblem(t('inbox.snooze.mustBeFuture'));
          return;
        }
        void onSnooze(at);
      }}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('inbox.snooze.confirm')}
          </button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">{t('inbox.snooze.pick')}</span>
        <input className="input" type="datetime-local" value={value} min={toLocalInput(new Date())} onChange={(e) => { setValue(e.target.value); setProblem(null); }} />
        {problem && <span className="field-error">{problem}</span>}
      </label>
    </Modal>
  );
}

function TransferDialog({ conversation, busy, onClose, onTransfer }: { conversation: Conversation; busy: boolean; onClose: () => void; onTransfer: (teamId: string | null, note: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [teamId, setTeamId] = useState<string>(conversation.team_id ?? '');
  const [note, setNote] = useState('');
  useEffect(() => {
    teamsApi.list().then(setTeams, () => setTeams([]));
  }, []);
  return (
    <Modal
      title={t('inbox.transfer.title')}
      busy={busy}
      onClose={onClose}
      onSubmit={(e) => {
        e.preventDefault();
        void onTransfer(teamId || null, note.trim());
      }}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || teams === null || (teamId || null) === (conversation.team_id ?? null)}>
            {t('inbox.transfer.confirm')}
          </button>
        </>
      }
    >
      {teams !== null && teams.length === 0 ? (
        <p className="muted">{t('inbox.transfer.none')}</p>
      ) : (
        <>
          <label className="field">
            <span className="field-label">{t('inbox.transfer.team')}</span>
            <select className="input select" value={teamId} onChange={(e) => setTeamId(e.target.value)} disabled={teams === null}>
              <option value="">{t('inbox.transfer.noTeam')}</option>
              {(teams ?? []).map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t('inbox.transfer.note')}</span>
            <textarea className="input textarea" rows={3} maxLength={4096} value={note} placeholder={t('inbox.transfer.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
          </label>
        </>
      )}
    </Modal>
  );
}

function TagsDialog({ conversation, busy, onClose, onSave }: { conversation: Conversation; busy: boolean; onClose: () => void; onSave: (ids: string[]) => Promise<void> }) {
  const { t } = useTranslation();
  const [all, setAll] = useState<Tag[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(() => new Set((conversation.tags ?? []).map((x) => x.id)));
  useEffect(() => {
    tagsApi.list().then((list) => setAll([...list].sort((a, b) => a.name.localeCompare(b.name))), () => setAll([]));
  }, []);
  return (
    <Modal
      title={t('inbox.tagsEditor.title')}
      busy={busy}
      onClose={onClose}
      onSubmit={(e) => {
        e.preventDefault();
        void onSave([...picked]);
      }}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || all === null}>
            {t('inbox.tagsEditor.save')}
          </button>
        </>
      }
    >
      {all !== null && all.length === 0 ? (
        <p className="muted">{t('inbox.tagsEditor.none')}</p>
      ) : (
        <div className="tag-picker" data-testid="tag-picker">
          {(all ?? []).map((tag) => {
            const on = picked.has(tag.id);
            return (
              <label key={tag.id} className={`tag-option${on ? ' tag-option-on' : ''}`}>
                <input
                  type="checkbox"
                  checked={on}
                  onChange={() =>
                    setPicked((cur) => {
                      const next = new Set(cur);
                      if (next.has(tag.id)) next.delete(tag.id);
                      else next.add(tag.id);
                      return next;
                    })
                  }
                />
                <span className="tag-option-swatch" style={{ background: tag.colour }} aria-hidden="true" />
                <span>{tag.name}</span>
              </label>
            );
          })}
        </div>
      )}
    </Modal>
  );
}
