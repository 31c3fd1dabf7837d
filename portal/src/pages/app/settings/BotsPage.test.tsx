import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BotStep } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { BotsPage, moveStep, removeStep } from './BotsPage';

const bot = {
  id: 'b1',
  number_id: null,
  name: 'Triage',
  enabled: true,
  kb_threshold: 0.5,
  steps: [{ type: 'greet', text: 'Hi! I am the Acme bot.' }],
  updated_at: '2026-12-01T10:00:00Z',
};
const number = { id: 'n1', phone_number_id: '1065', waba_id: '88', display_phone_number: '15550000000', verified_name: 'Acme Support', quality_rating: 'GREEN', status: 'connected' };
const team = { id: 'tm1', name: 'Billing', member_ids: [], created_at: '2026-12-01T10:00:00Z' };

function server({ patchStatus = 200 } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    if (url === '/api/v1/bots' && method === 'GET') return jsonResponse(200, { items: [bot] });
    if (url.startsWith('/api/v1/numbers')) return jsonResponse(200, { items: [number], next_cursor: null });
    if (url.startsWith('/api/v1/teams')) return jsonResponse(200, { items: [team], next_cursor: null });
    if (url.startsWith('/api/v1/tags')) return jsonResponse(200, { items: [], next_cursor: null });
    if (url === '/api/v1/bots/b1/stats') return jsonResponse(200, { bot_id: 'b1', sessions: 10, active: 2, contained: 6, handed_over: 2, abandoned: 0, containment_rate: 0.75, handover_reasons: {} });
    if (url === '/api/v1/bots/b1' && method === 'PATCH') {
      if (patchStatus !== 200) return jsonResponse(patchStatus, { error: { code: 'validation_failed', message: 'A pattern is a valid regular expression.', fields: { 'steps[0].pattern': 'A pattern is a valid regular expression.' } } });
      return jsonResponse(200, { ...bot, ...JSON.parse(String(init.body)) });
    }
    if (url === '/api/v1/bots' && method === 'POST') return jsonResponse(201, { ...bot, id: 'b2', enabled: false, steps: [], ...JSON.parse(String(init.body)) });
    if (url.endsWith('/stats')) return jsonResponse(200, { bot_id: 'b2', sessions: 0, active: 0, contained: 0, handed_over: 0, abandoned: 0, containment_rate: null, handover_reasons: {} });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('BotsPage', () => {
  it('edits the default flow: adds, fills and reorders steps, and saves them', async () => {
    const fn = server();
    renderPage(<BotsPage />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    const scopes = await screen.findAllByTestId('bot-scope');
    expect(scopes).toHaveLength(2);
    expect(scopes[0].textContent).toContain('Business default');
    expect(scopes[1].textContent).toContain('Acme Support');
    const editor = scopes[0];
    expect((await within(editor).findByTestId('bot-stats')).textContent).toContain('containment 75%');

    fireEvent.change(within(editor).getByLabelText('New step'), { target: { value: 'ask_text' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Add step' }));
    fireEvent.change(within(editor).getByLabelText('New step'), { target: { value: 'route_to_team' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Add step' }));
    let steps = within(editor).getAllByTestId('bot-step');
    expect(steps).toHaveLength(3);
    fireEvent.change(within(steps[1]).getByLabelText('Question'), { target: { value: 'Your order number?' } });
    fireEvent.change(within(steps[1]).getByLabelText('Pattern (optional)'), { target: { value: '[0-9]{6}' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Move step 2 up' }));
    steps = within(editor).getAllByTestId('bot-step');
    expect(steps[0].textContent).toContain('Ask for a text');
    fireEvent.click(within(editor).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, i]) => u === '/api/v1/bots/b1' && i?.method === 'PATCH')).toBe(true));
    const patch = fn.mock.calls.find(([, i]) => i?.method === 'PATCH')!;
    expect(JSON.parse(String(patch[1]!.body))).toEqual({
      name: 'Triage',
      enabled: true,
      kb_threshold: 0.5,
      steps: [
        { type: 'ask_text', prompt: 'Your order number?', pattern: '[0-9]{6}', max_retries: 2 },
        { type: 'greet', text: 'Hi! I am the Acme bot.' },
        { type: 'route_to_team', team_id: 'tm1' },
      ],
    });
  });

  it("shows the server's complaint at the step it is about", async () => {
    server({ patchStatus: 422 });
    renderPage(<BotsPage />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    const editor = (await screen.findAllByTestId('bot-scope'))[0];
    await within(editor).findAllByTestId('bot-step');
    fireEvent.click(within(editor).getByRole('button', { name: 'Remove step 1' }));
    fireEvent.change(within(editor).getByLabelText('New step'), { target: { value: 'ask_text' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Add step' }));
    const step = within(editor).getByTestId('bot-step');
    fireEvent.change(within(step).getByLabelText('Pattern (optional)'), { target: { value: '([' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Save' }));
    expect(await within(step).findByText('A pattern is a valid regular expression.')).toBeTruthy();
  });

  it('creates a bot for a number that has none', async () => {
    const fn = server();
    renderPage(<BotsPage />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    const scopes = await screen.findAllByTestId('bot-scope');
    fireEvent.click(within(scopes[1]).getByRole('button', { name: 'Create a bot' }));
    await waitFor(() => expect(fn.mock.calls.some(([, i]) => i?.method === 'POST')).toBe(true));
    const post = fn.mock.calls.find(([, i]) => i?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ name: 'Triage bot', number_id: 'n1', enabled: false, steps: [] });
    expect(await within(scopes[1]).findByText('No steps yet. Add a greeting, then what the bot should ask.')).toBeTruthy();
  });

  it('is off limits without settings:manage or reports:view', () => {
    server();
    renderPage(<BotsPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.queryByTestId('bot-scope')).toBeNull();
  });

  it('keeps choice jumps pointing at the same steps when steps move or go', () => {
    const steps: BotStep[] = [
      { type: 'ask_choice', prompt: '?', options: [{ title: 'A', next_step: 2 }, { title: 'B', next_step: 1 }] },
      { type: 'greet', text: 'one' },
      { type: 'greet', text: 'two' },
    ];
    const moved = moveStep(steps, 1, 1);
    expect(moved.map((s) => (s.type === 'greet' ? s.text : 'choice'))).toEqual(['choice', 'two', 'one']);
    expect(moved[0].type === 'ask_choice' && moved[0].options.map((o) => o.next_step)).toEqual([1, 2]);
    const removed = removeStep(steps, 1);
    expect(removed[0].type === 'ask_choice' && removed[0].options.map((o) => o.next_step)).toEqual([1, null]);
  });
});
