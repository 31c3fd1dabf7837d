import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../api';
import { jsonResponse, manualLive, renderRoutes } from '../../../test/render';
import { CsatSurveys } from './CsatSurveys';
import { MessageBubble } from './MessageBubble';

const ago = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function server(items: () => unknown[], status = 200) {
  const fn = vi.fn(async (url: string) => {
    if (new URL(url, 'http://x').pathname === '/api/v1/conversations/c1/csat') {
      return status === 200 ? jsonResponse(200, { items: items() }) : jsonResponse(status, { error: { code: 'not_found', message: 'No.' } });
    }
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

describe('the survey in the conversation panel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the stars and the comment, and "asked, no answer yet"; reloads on the conversation’s events', async () => {
    let items: unknown[] = [{ id: 's1', channel: 'list', sent_at: ago(5), score: null, answered_at: null, comment: null }];
    const fn = server(() => items);
    const live = manualLive();
    renderRoutes([{ path: '*', element: <CsatSurveys conversationId="c1" status="resolved" /> }], { live: live.source });
    const survey = await screen.findByTestId('csat-survey');
    expect(survey.textContent).toContain('Asked, no answer yet');
    expect(screen.getByText('Satisfaction')).toBeTruthy();
    items = [{ id: 's1', channel: 'list', sent_at: ago(5), score: 4, answered_at: ago(2), comment: 'Quick and kind' }];
    await live.tick();
    await waitFor(() => expect(screen.getByTestId('csat-stars').getAttribute('data-score')).toBe('4'));
    expect(screen.getByRole('img', { name: '4 of 5 stars' })).toBeTruthy();
    expect(screen.getByTestId('csat-survey').textContent).toContain('“Quick and kind”');
    expect(screen.getByTestId('csat-survey').textContent).not.toContain('no answer');
    expect(fn.mock.calls.length).toBe(2);
  });

  it('shows nothing without surveys, or on a server without them', async () => {
    const fn = server(() => []);
    const { unmount } = renderRoutes([{ path: '*', element: <CsatSurveys conversationId="c1" status="open" /> }]);
    await waitFor(() => expect(fn).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('panel-csat')).toBeNull();
    unmount();
    server(() => [], 404);
    renderRoutes([{ path: '*', element: <CsatSurveys conversationId="c1" status="open" /> }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(screen.queryByTestId('panel-csat')).toBeNull();
  });

  it('the survey message in the thread renders as the business’s list, marked automatic', () => {
    const survey: Message = {
      id: 'm1',
      conversation_id: 'c1',
      direction: 'outbound',
      kind: 'interactive',
      body: 'How would you rate the help you got?',
      content: {
        automatic: 'csat',
        outbound: {
          type: 'list',
          body: 'How would you rate the help you got?',
          button: 'Rate us',
          sections: [{ rows: [5, 4, 3, 2, 1].map((n) => ({ id: `csat:${n}`, title: `${'★'.repeat(n)} ${n}`, description: 'x' })) }],
        },
      },
      wamid: 'wamid.1',
      reply_to_wamid: null,
      status: 'delivered',
      error_code: null,
      error_title: null,
      error_explanation: null,
      sender_type: 'system',
      sender_id: null,
      sent_at: '2026-11-22T10:15:00Z',
      status_at: '2026-11-22T10:15:00Z',
    };
    render(<MessageBubble message={survey} side="end" ticks markAutomatic sender="Acme" />);
    expect(screen.getByText('How would you rate the help you got?')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rate us' })).toBeTruthy();
    const label = screen.getByTestId('msg-automatic');
    expect(label.textContent).toBe('Automatic · Satisfaction survey');
    expect(label.getAttribute('title')).toBe('Satisfaction survey sent automatically when the conversation was resolved');
  });
});
