// The shared inbox in three panes: conversations | the open one | the contact (/inbox/:conversationId).
// Filters live in the query string (?assignee=&status=&number=&team=&tag=&priority=&sla=&window=&sort=&q=)
// so they survive opening a conversation and reloads. Keyboard shortcuts: j/k move through the
// list, r/n focus the reply/note box, e resolves, a opens the assignee picker, / opens canned
// responses, ? lists them.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  agents as agentsApi,
  isApiError,
  numbers as numbersApi,
  PRIORITIES,
  tags as tagsApi,
  teams as teamsApi,
  type ConversationStatus,
  type Priority,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { EmptyState } from '../../../components/EmptyState';
import { Icon } from '../../../components/Icon';
import { LiveIndicator } from '../../../components/LiveIndicator';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { Spinner } from '../../../components/Spinner';
import { useRealtimeEvents } from '../../../lib/RealtimeProvider';
import { commandFor, SHORTCUTS, type InboxCommand } from '../../../lib/shortcuts';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';
import { useLoader } from '../../../lib/useLoader';
import { hasTeamInbox } from './bits';
import { ConversationItem, useConversationList, type ListFilter } from './ConversationList';
import { ConversationView, numberLabel, type ViewCommand } from './ConversationView';

const TABS: { key: string; status?: ConversationStatus }[] = [
  { key: 'all' },
  { key: 'open', status: 'open' },
  { key: 'pending', status: 'pending' },
  { key: 'snoozed', status: 'snoozed' },
  { key: 'resolved', status: 'resolved' },
];

const ASSIGNEES = ['all', 'me', 'unassigned'] as const;
/** The SLA states the list filters on (the server also knows on_track and met). */
export const SLA_FILTERS = ['at_risk', 'breached'] as const;
type AssigneeTab = (typeof ASSIGNEES)[number];

/** Filter keys in the address, and the list filter they make. */
export function filterFromParams(params: URLSearchParams): ListFilter {
  const status = TABS.find((x) => x.status && x.status === params.get('status'))?.status;
  const assignee = ASSIGNEES.find((a) => a === params.get('assignee'));
  const priority = PRIORITIES.find((p) => p === params.get('priority'));
  return {
    status,
    number_id: params.get('number') || undefined,
    assignee: assignee && assignee !== 'all' ? assignee : undefined,
    team_id: params.get('team') || undefined,
    tag_id: params.get('tag') || undefined,
    priority,
    sla: SLA_FILTERS.find((x) => x === params.get('sla')),
    window: params.get('window') === 'closing' ? 'closing' : undefined,
    sort: params.get('sort') === 'waiting' ? 'waiting' : undefined,
    q: params.get('q') || undefined,
  };
}

const PANEL_KEY = 'chorus.contactPanel';
const WIDE = '(min-width: 1200px)';

function initialPanel(): boolean {
  const wide = typeof window.matchMedia === 'function' ? window.matchMedia(WIDE).matches : true;
  if (!wide) return false;
  try {
    return localStorage.getItem(PANEL_KEY) !== 'closed';
  } catch {
    return true;
  }
}

// An older server ignores the new filters; once it is seen speaking issue 4, they show.
let teamInboxSeen = false;

/** For tests: as if no issue-4 server had been seen. */
export function forgetTeamInbox() {
  teamInboxSeen = false;
}

export function InboxPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { conversationId } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  useDocumentTitle(t('inbox.title'));

  const filter = filterFromParams(params);
  const tab = TABS.find((x) => x.status === filter.status) ?? TABS[0];
  const assigneeTab: AssigneeTab = filter.assignee ?? 'all';
  const numberId = filter.number_id;
  const search = params.toString() ? `?${params}` : '';
  const myId = me?.membership.id;

  const numbers = useLoader(() => numbersApi.list());
  const numberList = useMemo(() => numbers.data ?? [], [numbers.data]);
  // The agents list needs agents:manage or teams:manage; the assignee picker asks for it too and
  // copes with a refusal (it then offers only "Assign to me" and "Unassign").
  const seeAgents = can('agents:manage') || can('teams:manage') || can('conversations:assign');
  const agents = useLoader(() => (seeAgents ? agentsApi.list().catch(() => []) : Promise.resolve([])), [seeAgents]);
  const agentNames = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);
  const activeAgents = useMemo(() => (agents.data ?? []).filter((a) => a.status === 'active'), [agents.data]);
  // Presence dots follow the realtime `presence` frames.
  const { setData: setAgents } = agents;
  useRealtimeEvents((e) => {
    if (e.kind !== 'presence' || !e.data) return;
    const who = e.data.membership_id;
    const status = e.data.status;
    if (typeof who !== 'string' || typeof status !== 'string') return;
    setAgents((list) => list?.map((a) => (a.id === who ? { ...a, presence: status } : a)));
  });
  const list = useConversationList(filter, myId);

  if (list.items?.some(hasTeamInbox)) teamInboxSeen = true;
  const filtersSet = Boolean(filter.team_id || filter.tag_id || filter.priority || filter.sla || filter.window || filter.sort);
  const rich = teamInboxSeen || filtersSet || Boolean(filter.q);
  const [showFilters, setShowFilters] = useState(filtersSet);
  const teamList = useLoader(() => (rich && showFilters ? teamsApi.list().catch(() => []) : Promise.resolve([])), [rich && showFilters]);
  const tagList = useLoader(() => (rich && showFilters ? tagsApi.list().catch(() => []) : Promise.resolve([])), [rich && showFilters]);
  const [query, setQuery] = useState(filter.q ?? '');

  const several = numberList.length > 1;
  const forbidden = isApiError(list.error) && list.error.status === 403;

  const setFilter = useCallback(
    (changes: Record<string, string | undefined>) => {
      const next = new URLSearchParams(params);
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      setParams(next, { replace: true });
    },
    [params, setParams],
  );

  // The search box updates the address a moment after typing stops.
  useEffect(() => {
    if ((filter.q ?? '') === query.trim()) return;
    const timer = setTimeout(() => setFilter({ q: query.trim() || undefined }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // The contact panel: open by default on wide screens; a drawer on narrower ones.
  const [panelOpen, setPanelOpen] = useState(initialPanel);
  // Crossing the breakpoint (a window made narrower, a tablet turned): the drawer starts closed
  // on narrow screens, and wide screens get back what the person chose there.
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(WIDE);
    const onChange = () => setPanelOpen(initialPanel());
    mq.addEventListener?.('change', onChange);
    return () => mq.removeEventListener?.('change', onChange);
  }, []);
  const togglePanel = useCallback(() => {
    setPanelOpen((open) => {
      const next = !open;
      if (typeof window.matchMedia !== 'function' || window.matchMedia(WIDE).matches) {
        try {
          localStorage.setItem(PANEL_KEY, next ? 'open' : 'closed');
        } catch {
          // private mode
        }
      }
      return next;
    });
  }, []);

  // Keyboard shortcuts.
  const [command, setCommand] = useState<ViewCommand | null>(null);
  const [help, setHelp] = useState(false);
  const [cursor, setCursor] = useState<string | null>(null);
  const seq = useRef(0);
  const listRef = useRef<HTMLDivElement>(null);
  const items = list.items;
  const run = useCallback(
    (cmd: InboxCommand) => {
      if (cmd === 'help') {
        setHelp(true);
        return;
      }
      if (cmd === 'next' || cmd === 'previous') {
        if (!items || items.length === 0) return;
        const from = cursor ?? conversationId ?? null;
        const at = from ? items.findIndex((c) => c.id === from) : -1;
        const next = at === -1 ? (cmd === 'next' ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + (cmd === 'next' ? 1 : -1)));
        const target = items[next];
        setCursor(target.id);
        navigate(`/inbox/${target.id}${search}`);
        requestAnimationFrame(() => {
          listRef.current?.querySelector(`[data-conversation-id="${target.id}"]`)?.scrollIntoView?.({ block: 'nearest' });
        });
        return;
      }
      if (!conversationId) return;
      seq.current += 1;
      setCommand({ name: cmd, seq: seq.current });
    },
    [items, cursor, conversationId, navigate, search],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (help) return;
      const cmd = commandFor(e);
      if (!cmd) return;
      e.preventDefault();
      run(cmd);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [run, help]);
  useEffect(() => setCursor(null), [conversationId]);

  const activeFilters = [filter.team_id, filter.tag_id, filter.priority, filter.sla, filter.window, filter.sort].filter(Boolean).length;
  const anyFilter = Boolean(filter.status || numberId || filter.assignee || activeFilters || filter.q);

  return (
    <div className={`inbox${conversationId ? ' inbox-has-selection' : ''}${panelOpen && conversationId ? ' inbox-panel-open' : ''}`}>
      <section className="inbox-list-pane" aria-label={t('inbox.listLabel')}>
        <div className="inbox-list-header">
          <div className="inbox-title-row">
            <h1 className="inbox-title">{t('inbox.title')}</h1>
            <LiveIndicator />
            <button type="button" className="icon-button icon-button-sm inbox-help-button" onClick={() => setHelp(true)} aria-label={t('inbox.shortcuts.open')} title={`${t('inbox.shortcuts.open')} (?)`}>
              <Icon name="help" size={16} />
            </button>
          </div>
          <div className="segmented" role="group" aria-label={t('inbox.assigneeFilter')}>
            {ASSIGNEES.map((a) => (
              <button
                key={a}
                type="button"
                aria-pressed={assigneeTab === a}
                className={`segmented-item${assigneeTab === a ? ' segmented-item-active' : ''}`}
                onClick={() => setFilter({ assignee: a === 'all' ? undefined : a })}
                data-testid={`assignee-tab-${a}`}
              >
                {t(`inbox.assigneeTabs.${a}`)}
              </button>
            ))}
          </div>
          {rich && (
            <div className="inbox-search-row">
              <label className="inbox-search">
                <span className="sr-only">{t('inbox.search')}</span>
                <input
                  type="search"
                  className="input input-sm"
                  placeholder={t('inbox.searchPlaceholder')}
                  aria-label={t('inbox.search')}
                  value={query}
                  onChange={(e) => setQuery(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') setFilter({ q: query.trim() || undefined });
                    if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
                  }}
                  data-testid="inbox-search"
                />
              </label>
              <button
                type="button"
                className={`btn btn-secondary btn-sm inbox-filter-toggle${activeFilters ? ' inbox-filter-toggle-on' : ''}`}
                aria-expanded={showFilters}
                onClick={() => setShowFilters((v) => !v)}
                data-testid="filters-toggle"
              >
                <Icon name="list" size={15} />
                {activeFilters ? t('inbox.filters.toggleActive', { count: activeFilters }) : t('inbox.filters.toggle')}
              </button>
            </div>
          )}
          {rich && showFilters && (
            <div className="inbox-filters" data-testid="inbox-filters">
              <select className="input select input-sm" aria-label={t('inbox.filters.team')} value={filter.team_id ?? ''} onChange={(e) => setFilter({ team: e.target.value || undefined })}>
                <option value="">{t('inbox.filters.anyTeam')}</option>
                {(teamList.data ?? []).map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
              <select className="input select input-sm" aria-label={t('inbox.filters.tag')} value={filter.tag_id ?? ''} onChange={(e) => setFilter({ tag: e.target.value || undefined })}>
                <option value="">{t('inbox.filters.anyTag')}</option>
                {(tagList.data ?? []).map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
              <select className="input select input-sm" aria-label={t('inbox.filters.priority')} value={filter.priority ?? ''} onChange={(e) => setFilter({ priority: (e.target.value as Priority) || undefined })}>
                <option value="">{t('inbox.filters.anyPriority')}</option>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {t(`inbox.priority.${p}`)}
                  </option>
                ))}
              </select>
              <select className="input select input-sm" aria-label={t('inbox.filters.sla')} value={filter.sla ?? ''} onChange={(e) => setFilter({ sla: e.target.value || undefined })} data-testid="sla-filter">
                <option value="">{t('inbox.filters.anySla')}</option>
                {SLA_FILTERS.map((x) => (
                  <option key={x} value={x}>
                    {t(`inbox.filters.sla_${x}`)}
                  </option>
                ))}
              </select>
              <select className="input select input-sm" aria-label={t('inbox.filters.sort')} value={filter.sort ?? 'activity'} onChange={(e) => setFilter({ sort: e.target.value === 'waiting' ? 'waiting' : undefined })}>
                <option value="activity">{t('inbox.filters.sortActivity')}</option>
                <option value="waiting">{t('inbox.filters.sortWaiting')}</option>
              </select>
              <label className="check inbox-filter-check">
                <input type="checkbox" checked={filter.window === 'closing'} onChange={(e) => setFilter({ window: e.target.checked ? 'closing' : undefined })} />
                <span>{t('inbox.filters.windowClosing')}</span>
              </label>
              {activeFilters > 0 && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFilter({ team: undefined, tag: undefined, priority: undefined, sla: undefined, window: undefined, sort: undefined })}>
                  {t('inbox.filters.clear')}
                </button>
              )}
            </div>
          )}
          {several && (
            <select
              className="input select input-sm inbox-number-filter"
              aria-label={t('inbox.numberFilter')}
              value={numberId ?? ''}
              onChange={(e) => setFilter({ number: e.target.value || undefined })}
            >
              <option value="">{t('inbox.allNumbers')}</option>
              {numberList.map((n) => (
                <option key={n.id} value={n.id}>
                  {numberLabel(n)}
                </option>
              ))}
            </select>
          )}
        </div>
        <div className="inbox-tabs" role="tablist" aria-label={t('inbox.statusFilter')}>
          {TABS.map((x) => (
            <button
              key={x.key}
              type="button"
              role="tab"
              aria-selected={x === tab}
              className={`inbox-tab${x === tab ? ' inbox-tab-active' : ''}`}
              onClick={() => setFilter({ status: x.status })}
            >
              {t(`inbox.tabs.${x.key}`)}
            </button>
          ))}
        </div>
        <div className="inbox-list" data-testid="conversation-list" ref={listRef}>
          {forbidden ? (
            <EmptyState icon="lock" title={t('inbox.forbiddenTitle')}>
              {t('inbox.forbiddenBody')}
            </EmptyState>
          ) : list.items === null ? (
            list.error ? (
              <LoadError error={list.error} onRetry={list.reload} />
            ) : (
              <div className="inbox-list-loading">
                <Spinner label={t('common.loading')} />
              </div>
            )
          ) : list.items.length === 0 ? (
            anyFilter ? (
              <div className="inbox-list-empty">
                <p>{activeFilters || filter.q || filter.assignee ? t('inbox.filters.noMatch') : t(`inbox.emptyTab.${tab.key}`)}</p>
              </div>
            ) : (
              <EmptyState
                icon="message"
                title={t('inbox.emptyTitle')}
                action={
                  <Link className="btn btn-secondary btn-sm" to="/test-phone">
                    <Icon name="smartphone" size={15} />
                    {t('inbox.openTestPhone')}
                  </Link>
                }
              >
                {t('inbox.emptyBody')}
              </EmptyState>
            )
          ) : (
            <>
              {list.items.map((c) => (
                <ConversationItem
                  key={c.id}
                  conversation={c}
                  to={`/inbox/${c.id}${search}`}
                  number={numberList.find((n) => n.id === c.number_id)}
                  showNumber={several && !numberId}
                  showStatus={!tab.status}
                  myId={myId}
                  active={c.id === conversationId}
                  selected={c.id === cursor && c.id !== conversationId}
                  showWaiting={filter.sort === 'waiting'}
                />
              ))}
              {list.hasMore && (
                <div className="inbox-more">
                  <button type="button" className="btn btn-ghost btn-sm" disabled={list.loadingMore} onClick={() => void list.loadMore()}>
                    {list.loadingMore ? t('common.loading') : t('inbox.loadMore')}
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      </section>
      <section className="inbox-thread-pane" aria-label={t('inbox.threadLabel')}>
        {conversationId ? (
          <ConversationView
            key={conversationId}
            id={conversationId}
            numbers={numberList}
            agentNames={agentNames}
            agents={activeAgents}
            backTo={`/inbox${search}`}
            command={command}
            panelOpen={panelOpen}
            onTogglePanel={togglePanel}
            search={search}
          />
        ) : (
          <div className="inbox-placeholder">
            <EmptyState icon="inbox" title={t('inbox.selectTitle')}>
              {t('inbox.selectBody')}
            </EmptyState>
          </div>
        )}
      </section>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  );
}

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      title={t('inbox.shortcuts.title')}
      subtitle={t('inbox.shortcuts.hint')}
      size="sm"
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-secondary" onClick={onClose} data-autofocus>
          {t('inbox.shortcuts.close')}
        </button>
      }
    >
      <dl className="shortcut-list" data-testid="shortcuts-help">
        {SHORTCUTS.map((s) => (
          <div key={s.key} className="shortcut-row">
            <dt>
              <kbd>{s.key}</kbd>
            </dt>
            <dd>{t(`inbox.shortcuts.${s.command}`)}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
