// The shared inbox: conversations on the left, the open one on the right (/inbox/:conversationId).
// The filter lives in the query string (?status=&number=) so it survives opening a conversation.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { agents as agentsApi, isApiError, numbers as numbersApi, type ConversationStatus } from '../../../api';
import { useSession } from '../../../auth/session';
import { EmptyState } from '../../../components/EmptyState';
import { Icon } from '../../../components/Icon';
import { LiveIndicator } from '../../../components/LiveIndicator';
import { LoadError } from '../../../components/LoadError';
import { Spinner } from '../../../components/Spinner';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';
import { useLoader } from '../../../lib/useLoader';
import { ConversationItem, useConversationList } from './ConversationList';
import { ConversationView, numberLabel } from './ConversationView';

const TABS: { key: string; status?: ConversationStatus }[] = [
  { key: 'all' },
  { key: 'open', status: 'open' },
  { key: 'pending', status: 'pending' },
  { key: 'resolved', status: 'resolved' },
];

export function InboxPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  useDocumentTitle(t('inbox.title'));

  const tab = TABS.find((x) => x.status && x.status === params.get('status')) ?? TABS[0];
  const numberId = params.get('number') || undefined;
  const search = params.toString() ? `?${params}` : '';

  const numbers = useLoader(() => numbersApi.list());
  const numberList = useMemo(() => numbers.data ?? [], [numbers.data]);
  // The agents list needs agents:manage or teams:manage; the assignee picker asks for it too and
  // copes with a refusal (it then offers only "Assign to me" and "Unassign").
  const seeAgents = can('agents:manage') || can('teams:manage') || can('conversations:assign');
  const agents = useLoader(() => (seeAgents ? agentsApi.list().catch(() => []) : Promise.resolve([])), [seeAgents]);
  const agentNames = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);
  const activeAgents = useMemo(() => (agents.data ?? []).filter((a) => a.status === 'active'), [agents.data]);
  const list = useConversationList({ status: tab.status, number_id: numberId });

  const several = numberList.length > 1;
  const forbidden = isApiError(list.error) && list.error.status === 403;

  function setFilter(key: 'status' | 'number', value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  return (
    <div className={`inbox${conversationId ? ' inbox-has-selection' : ''}`}>
      <section className="inbox-list-pane" aria-label={t('inbox.listLabel')}>
        <div className="inbox-list-header">
          <div className="inbox-title-row">
            <h1 className="inbox-title">{t('inbox.title')}</h1>
            <LiveIndicator />
          </div>
          {several && (
            <select
              className="input select input-sm inbox-number-filter"
              aria-label={t('inbox.numberFilter')}
              value={numberId ?? ''}
              onChange={(e) => setFilter('number', e.target.value || undefined)}
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
              onClick={() => setFilter('status', x.status)}
            >
              {t(`inbox.tabs.${x.key}`)}
            </button>
          ))}
        </div>
        <div className="inbox-list" data-testid="conversation-list">
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
            tab.status || numberId ? (
              <div className="inbox-list-empty">
                <p>{t(`inbox.emptyTab.${tab.key}`)}</p>
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
                  myId={me?.membership.id}
                  active={c.id === conversationId}
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
          />
        ) : (
          <div className="inbox-placeholder">
            <EmptyState icon="inbox" title={t('inbox.selectTitle')}>
              {t('inbox.selectBody')}
            </EmptyState>
          </div>
        )}
      </section>
    </div>
  );
}
