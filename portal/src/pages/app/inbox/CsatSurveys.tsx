// The conversation's satisfaction surveys in the side panel (`GET /api/v1/conversations/{id}/csat`,
// newest first): the stars and the comment, or "asked, no answer yet". Nothing when none was sent
// (or the server has no surveys). Reloaded on the conversation's realtime events: the answer is
// stored quietly in the resolved conversation.
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../api';
import { csat, type CsatSurvey } from '../../../api/supervision';
import { useLive, useNow } from '../../../lib/live';
import { fullDateTime, shortAgo } from '../../../lib/time';
import { useLoader } from '../../../lib/useLoader';
import '../../../supervision.css';

export function Stars({ score }: { score: number }) {
  const { t } = useTranslation();
  return (
    <span className="csat-stars" role="img" aria-label={t('csat.stars', { score })} data-testid="csat-stars" data-score={score}>
      {[1, 2, 3, 4, 5].map((n) => (
        <span key={n} className={n <= score ? undefined : 'csat-star-off'} aria-hidden="true">
          ★
        </span>
      ))}
    </span>
  );
}

export function CsatSurveys({ conversationId, status }: { conversationId: string; status: string }) {
  const { t } = useTranslation();
  const now = useNow(30_000);
  const surveys = useLoader(
    () =>
      csat.surveys(conversationId).catch((e) => {
        if (isApiError(e) && (e.status === 404 || e.status === 403 || e.status === 405)) return [] as CsatSurvey[];
        throw e;
      }),
    [conversationId, status],
  );
  useLive({ kind: 'conversation', id: conversationId }, () => surveys.reload());
  const items = surveys.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="contact-section" data-testid="panel-csat">
      <h3 className="contact-section-title">{t('csat.panelTitle')}</h3>
      {items.map((s) => (
        <div key={s.id} className="csat-survey" data-testid="csat-survey">
          {s.score != null ? (
            <>
              <div className="csat-survey-head">
                <Stars score={s.score} />
                <span className="muted small" title={fullDateTime(s.answered_at ?? s.sent_at)}>
                  {shortAgo(t, s.answered_at ?? s.sent_at, now)}
                </span>
              </div>
              {s.comment && <div className="csat-comment">“{s.comment}”</div>}
            </>
          ) : (
            <div className="csat-survey-head">
              <span className="muted">{t('csat.askedNoAnswer')}</span>
              <span className="muted small" title={fullDateTime(s.sent_at)}>
                {shortAgo(t, s.sent_at, now)}
              </span>
            </div>
          )}
        </div>
      ))}
    </section>
  );
}
