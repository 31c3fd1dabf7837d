import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { joinMinutes, splitMinutes, compactDuration } from '../../../lib/sla';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { SlaPoliciesPage } from './SlaPoliciesPage';

const view = {
  teams: [
    { team_id: 'tm-billing', name: 'Billing', assignment: 'manual', reassign_after_minutes: null },
    { team_id: 'tm-vip', name: 'VIP desk', assignment: 'manual', reassign_after_minutes: null },
  ],
  numbers: [{ number_id: 'n1', display_phone_number: '15550000000', team_id: null }],
  agents: [{ membership_id: 'm-ana', name: 'Ana Álvarez', max_open: 5, open: 0, presence: 'online' }],
};
const number = { id: 'n1', phone_number_id: '1', waba_id: 'w', display_phone_number: '15550000000', verified_name: 'Acme Support', quality_rating: null, messaging_limit: null, throughput_per_second: 80, status: 'connected', sandbox: true, created_at: '2026-01-01T00:00:00Z' };
const vipTag = { id: 'tag-vip', name: 'VIP', colour: '#7f56d9', created_at: '2026-01-01T00:00:00Z' };
const policy = (id: string, name: string, position: number, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  position,
  enabled: true,
  conditions: { priorities: [], tag_ids: [], team_ids: [], number_ids: [] },
  first_response_minutes: 60,
  next_response_minutes: null,
  resolution_minutes: null,
  business_hours: false,
  pause_when_pending: true,
  pause_when_snoozed: true,
  warn_percent: 80,
  escalation: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...extra,
});
const vip = policy('p1', 'VIP', 1, { conditions: { priorities: ['urgent'], tag_ids: ['tag-vip'], team_ids: [], number_ids: [] }, first_response_minutes: 15, resolution_minutes: 1440, business_hours: true });
const standard = policy('p2', 'Standard', 2, { enabled: false });

type Handler = (body: Record<string, unknown>, path: string) => Response;

function server(opts: { policies?: unknown[]; post?: Handler; put?: Handler; order?: Handler } = {}) {
  let items = [...(opts.policies ?? [vip, standard])] as ReturnType<typeof policy>[];
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://x').pathname;
    const body = init.body ? JSON.parse(String(init.body)) : {};
    if (path === '/api/v1/routing' && method === 'GET') return jsonResponse(200, view);
    if (path === '/api/v1/tags') return jsonResponse(200, { items: [vipTag], next_cursor: null });
    if (path === '/api/v1/numbers') return jsonResponse(200, { items: [number], next_cursor: null });
    if (path === '/api/v1/sla-policies' && method === 'GET') return jsonResponse(200, { items });
    if (path === '/api/v1/sla-policies' && method === 'POST') {
      if (opts.post) return opts.post(body, path);
      const created = policy('p9', body.name, items.length + 1, body);
      items = [...items, created];
      return jsonResponse(201, created);
    }
    if (path === '/api/v1/sla-policies/order' && method === 'PUT') {
      if (opts.order) return opts.order(body, path);
      items = (body.ids as string[]).map((id, i) => ({ ...items.find((p) => p.id === id)!, position: i + 1 }));
      return jsonResponse(200, { items });
    }
    if (path.startsWith('/api/v1/sla-policies/') && method === 'PUT') {
      if (opts.put) return opts.put(body, path);
      const id = path.split('/').pop();
      const next = { ...items.find((p) => p.id === id)!, ...body };
      items = items.map((p) => (p.id === id ? next : p));
      return jsonResponse(200, next);
    }
    if (path.startsWith('/api/v1/sla-policies/') && method === 'DELETE') return new Response(null, { status: 204 });
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const sent = (fn: ReturnType<typeof server>, method: string, path?: string) =>
  fn.mock.calls
    .filter(([u, init]) => (init?.method ?? 'GET') === method && (!path || new URL(String(u), 'http://x').pathname === path))
    .map(([u, init]) => ({ path: new URL(String(u), 'http://x').pathname, body: JSON.parse(String(init!.body ?? 'null')) }));

describe('SlaPoliciesPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('splits and joins hours and minutes', () => {
    expect(splitMinutes(90)).toEqual({ hours: '1', minutes: '30' });
    expect(splitMinutes(null)).toEqual({ hours: '', minutes: '' });
    expect(joinMinutes('', '')).toBeNull();
    expect(joinMinutes('2', '')).toBe(120);
    expect(joinMinutes('', '45')).toBe(45);
    expect(joinMinutes('1.5', '')).toBeNaN();
    expect([compactDuration(30_000), compactDuration(12 * 60_000), compactDuration(185 * 60_000), compactDuration(50 * 3600_000)]).toEqual(['1m', '12m', '3h 5m', '2d 2h']);
  });

  it('is off limits without settings:manage or reports:view', () => {
    const fn = server();
    renderPage(<SlaPoliciesPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.getByText('No access')).toBeTruthy();
    expect(fn).not.toHaveBeenCalled();
  });

  it('lists the policies in order, described in words; reports:view reads without controls', async () => {
    server();
    renderPage(<SlaPoliciesPage />, { session: fakeSession({ me: fakeMe(['reports:view']) }) });
    const rows = await screen.findAllByTestId('sla-policy');
    expect(rows.map((r) => r.querySelector('strong')!.textContent)).toEqual(['VIP', 'Standard']);
    await waitFor(() => expect(rows[0].textContent).toContain('priority Urgent and tag VIP'));
    expect(rows[0].textContent).toContain('First response 15m · Resolution 1d');
    expect(rows[0].textContent).toContain('Business hours');
    expect(rows[1].textContent).toContain('every conversation');
    expect(within(rows[1]).getByText('Off')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New policy' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Move VIP down' })).toBeNull();
  });

  it('creates a policy with the exact JSON', async () => {
    const fn = server({ policies: [] });
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findByText('No SLA policies yet. Add one to start timing replies.');
    fireEvent.click(screen.getByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog');
    await within(within(dialog).getByTestId('sla-teams')).findByText('VIP desk');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: '  Urgent VIP  ' } });
    fireEvent.change(within(dialog).getByLabelText('First response – hours'), { target: { value: '0' } });
    fireEvent.change(within(dialog).getByLabelText('First response – minutes'), { target: { value: '30' } });
    fireEvent.change(within(dialog).getByLabelText('Next response – hours'), { target: { value: '1' } });
    fireEvent.change(within(dialog).getByLabelText('Resolution – hours'), { target: { value: '24' } });
    fireEvent.change(within(dialog).getByLabelText('Resolution – minutes'), { target: { value: '15' } });
    fireEvent.click(within(dialog).getByLabelText('Business hours only'));
    fireEvent.click(within(dialog).getByLabelText('Pause while the conversation is snoozed'));
    fireEvent.change(within(dialog).getByLabelText('Warn at (% of the target)'), { target: { value: '75' } });
    fireEvent.click(within(within(dialog).getByTestId('sla-priorities')).getByLabelText('Urgent'));
    fireEvent.click(within(within(dialog).getByTestId('sla-priorities')).getByLabelText('High'));
    fireEvent.click(within(within(dialog).getByTestId('sla-tags')).getByLabelText('VIP'));
    fireEvent.click(within(within(dialog).getByTestId('sla-teams')).getByLabelText('VIP desk'));
    fireEvent.click(within(within(dialog).getByTestId('sla-numbers')).getByLabelText('Acme Support (+1 555 000 0000)'));
    fireEvent.change(within(dialog).getByLabelText('Raise priority to'), { target: { value: 'urgent' } });
    fireEvent.change(within(dialog).getByLabelText('Move to team'), { target: { value: 'tm-billing' } });
    fireEvent.change(within(dialog).getByLabelText('Also notify'), { target: { value: 'm-ana' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(sent(fn, 'POST', '/api/v1/sla-policies')).toHaveLength(1));
    expect(sent(fn, 'POST', '/api/v1/sla-policies')[0].body).toEqual({
      name: 'Urgent VIP',
      enabled: true,
      conditions: { priorities: ['urgent', 'high'], tag_ids: ['tag-vip'], team_ids: ['tm-vip'], number_ids: ['n1'] },
      first_response_minutes: 30,
      next_response_minutes: 60,
      resolution_minutes: 1455,
      business_hours: true,
      pause_when_pending: true,
      pause_when_snoozed: false,
      warn_percent: 75,
      escalation: { raise_priority: 'urgent', team_id: 'tm-billing', notify_membership_id: 'm-ana' },
    });
    expect((await screen.findAllByTestId('sla-policy')).map((r) => r.querySelector('strong')!.textContent)).toEqual(['Urgent VIP']);
    expect(screen.getByText('Policy “Urgent VIP” created.')).toBeTruthy();
  });

  it('checks the form before sending: a name and at least one target', async () => {
    const fn = server({ policies: [] });
    renderPage(<SlaPoliciesPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'No First response target' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('Give the policy a name (up to 80 characters).')).toBeTruthy();
    expect(within(dialog).getByTestId('first_response-error').textContent).toBe('Set at least one target: first response, next response or resolution.');
    expect(sent(fn, 'POST')).toHaveLength(0);
  });

  it('shows the server’s field errors next to their fields, and others above the form', async () => {
    server({
      policies: [],
      post: () =>
        jsonResponse(422, {
          error: {
            code: 'validation_failed',
            message: 'Invalid.',
            fields: { 'escalation.team_id': 'There is no such team.', resolution_minutes: 'A target is 1 minute to 365 days (525,600 minutes).' },
          },
        }),
    });
    renderPage(<SlaPoliciesPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'X' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('There is no such team.')).toBeTruthy();
    expect(within(dialog).getByTestId('resolution-error').textContent).toBe('A target is 1 minute to 365 days (525,600 minutes).');
    expect(within(dialog).getByText('Please correct the highlighted fields.', { exact: false })).toBeTruthy();
  });

  it('a conflict (too many policies) shows above the form', async () => {
    server({ policies: [], post: () => jsonResponse(409, { error: { code: 'conflict', message: 'A business has at most 50 SLA policies.' } }) });
    renderPage(<SlaPoliciesPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'X' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('A business has at most 50 SLA policies.', { exact: false })).toBeTruthy();
  });

  it('moves a policy through the order endpoint with every id', async () => {
    const fn = server();
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findAllByTestId('sla-policy');
    expect((screen.getByRole('button', { name: 'Move VIP up' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Move Standard up' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/sla-policies/order')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/sla-policies/order')[0].body).toEqual({ ids: ['p2', 'p1'] });
    await waitFor(() => expect(screen.getAllByTestId('sla-policy').map((r) => r.querySelector('strong')!.textContent)).toEqual(['Standard', 'VIP']));
  });

  it('a failed move shows the error above the list', async () => {
    server({ order: () => jsonResponse(422, { error: { code: 'validation_failed', message: 'Name every policy once.' } }) });
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findAllByTestId('sla-policy');
    fireEvent.click(screen.getByRole('button', { name: 'Move VIP down' }));
    expect(await screen.findByText('Name every policy once.', { exact: false })).toBeTruthy();
  });

  it('switches a policy on with the whole policy (PUT replaces)', async () => {
    const fn = server();
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findAllByTestId('sla-policy');
    fireEvent.click(screen.getByRole('switch', { name: 'Switch on Standard' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/sla-policies/p2')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/sla-policies/p2')[0].body).toEqual({
      name: 'Standard',
      enabled: true,
      conditions: { priorities: [], tag_ids: [], team_ids: [], number_ids: [] },
      first_response_minutes: 60,
      next_response_minutes: null,
      resolution_minutes: null,
      business_hours: false,
      pause_when_pending: true,
      pause_when_snoozed: true,
      warn_percent: 80,
      escalation: {},
    });
    expect(await screen.findByRole('switch', { name: 'Switch off Standard' })).toBeTruthy();
  });

  it('edits a policy: the form starts from it and saves the full policy', async () => {
    const fn = server();
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findAllByTestId('sla-policy');
    fireEvent.click(screen.getByRole('button', { name: 'Edit VIP' }));
    const dialog = await screen.findByRole('dialog');
    expect((within(dialog).getByLabelText('First response – minutes') as HTMLInputElement).value).toBe('15');
    expect((within(dialog).getByLabelText('Resolution – hours') as HTMLInputElement).value).toBe('24');
    expect((within(dialog).getByLabelText('Business hours only') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'No Resolution target' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/sla-policies/p1')).toHaveLength(1));
    const body = sent(fn, 'PUT', '/api/v1/sla-policies/p1')[0].body;
    expect(body).toMatchObject({ name: 'VIP', first_response_minutes: 15, resolution_minutes: null, business_hours: true, conditions: { priorities: ['urgent'], tag_ids: ['tag-vip'] } });
  });

  it('deletes after confirming', async () => {
    const fn = server();
    renderPage(<SlaPoliciesPage />, { session: admin() });
    await screen.findAllByTestId('sla-policy');
    fireEvent.click(screen.getByRole('button', { name: 'Delete Standard' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Delete “Standard”?')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(sent(fn, 'DELETE', '/api/v1/sla-policies/p2')).toHaveLength(1));
    await waitFor(() => expect(screen.getAllByTestId('sla-policy')).toHaveLength(1));
  });
});
