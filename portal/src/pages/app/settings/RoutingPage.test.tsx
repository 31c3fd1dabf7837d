import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../i18n';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { RoutingPage, attributeValue, moved, splitKeywords, toCondition } from './RoutingPage';

const view = {
  teams: [
    { team_id: 'tm-billing', name: 'Billing', assignment: 'round_robin', reassign_after_minutes: 15 },
    { team_id: 'tm-sales', name: 'Sales', assignment: 'manual', reassign_after_minutes: null },
  ],
  numbers: [{ number_id: 'n1', display_phone_number: '15550000000', team_id: 'tm-sales' }],
  agents: [
    { membership_id: 'm-ana', name: 'Ana Álvarez', max_open: 5, open: 2, presence: 'online' },
    { membership_id: 'm-bruno', name: 'Bruno Blanco', max_open: 10, open: 0, presence: 'offline' },
  ],
};
const number = { id: 'n1', phone_number_id: '1', waba_id: 'w', display_phone_number: '15550000000', verified_name: 'Acme Support', quality_rating: null, messaging_limit: null, throughput_per_second: 80, status: 'connected', sandbox: true, created_at: '2026-01-01T00:00:00Z' };
const vip = { id: 'tag-vip', name: 'VIP', colour: '#7f56d9', created_at: '2026-01-01T00:00:00Z' };
const rule = (id: string, name: string, position: number, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  position,
  enabled: true,
  conditions: [],
  actions: [{ type: 'set_team', team_id: 'tm-sales' }],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...extra,
});
const invoices = rule('r1', 'Invoices', 1, {
  conditions: [
    { type: 'keywords', keywords: ['factura', 'invoice'] },
    { type: 'language', language: 'es' },
  ],
  actions: [
    { type: 'set_team', team_id: 'tm-billing' },
    { type: 'set_priority', priority: 'high' },
  ],
});
const vipRule = rule('r2', 'VIP customers', 2, { enabled: false, conditions: [{ type: 'contact_tag', tag_id: 'tag-vip' }], actions: [{ type: 'assign', membership_id: 'm-ana' }] });
const catchAll = rule('r3', 'Everything else', 3);

type Handler = (body: Record<string, unknown>, path: string) => Response;

function server(opts: { rules?: unknown[]; post?: Handler; patch?: Handler; order?: Handler; put?: Handler } = {}) {
  let rules = [...(opts.rules ?? [invoices, vipRule, catchAll])] as ReturnType<typeof rule>[];
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://x').pathname;
    const body = init.body ? JSON.parse(String(init.body)) : {};
    if (path === '/api/v1/routing' && method === 'GET') return jsonResponse(200, view);
    if (path === '/api/v1/tags') return jsonResponse(200, { items: [vip], next_cursor: null });
    if (path === '/api/v1/numbers') return jsonResponse(200, { items: [number], next_cursor: null });
    if (path === '/api/v1/routing/rules' && method === 'GET') return jsonResponse(200, { items: rules });
    if (path === '/api/v1/routing/rules' && method === 'POST') {
      if (opts.post) return opts.post(body, path);
      const created = rule('r9', body.name, rules.length + 1, body);
      rules = [...rules, created];
      return jsonResponse(201, created);
    }
    if (path === '/api/v1/routing/rules/order' && method === 'PUT') {
      if (opts.order) return opts.order(body, path);
      rules = (body.ids as string[]).map((id, i) => ({ ...rules.find((r) => r.id === id)!, position: i + 1 }));
      return jsonResponse(200, { items: rules });
    }
    if (path.startsWith('/api/v1/routing/rules/') && method === 'PATCH') {
      if (opts.patch) return opts.patch(body, path);
      const id = path.split('/').pop();
      const next = { ...rules.find((r) => r.id === id)!, ...body };
      rules = rules.map((r) => (r.id === id ? next : r));
      return jsonResponse(200, next);
    }
    if (path.startsWith('/api/v1/routing/rules/') && method === 'DELETE') return new Response(null, { status: 204 });
    if (path.startsWith('/api/v1/routing/') && method === 'PUT') {
      if (opts.put) return opts.put(body, path);
      return jsonResponse(200, view);
    }
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const sent = (fn: ReturnType<typeof server>, method: string, path?: string) =>
  fn.mock.calls.filter(([u, init]) => (init?.method ?? 'GET') === method && (!path || new URL(String(u), 'http://x').pathname === path)).map(([u, init]) => ({ path: new URL(String(u), 'http://x').pathname, body: JSON.parse(String(init!.body ?? 'null')) }));

describe('RoutingPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('splits keywords, types attribute values and moves ids', () => {
    expect(splitKeywords(' factura, invoice ,,\nbill ')).toEqual(['factura', 'invoice', 'bill']);
    expect([attributeValue('gold'), attributeValue('42'), attributeValue('true'), attributeValue('007')]).toEqual(['gold', 42, true, '007']);
    expect(toCondition({ type: 'ad_referral', source_id: '  ' })).toEqual({ type: 'ad_referral' });
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
  });

  it('is off limits without settings:manage or teams:manage', () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.getByText('No access')).toBeTruthy();
    expect(fn).not.toHaveBeenCalled();
  });

  it('shows teams, numbers, agents and the rules in order, described in words', async () => {
    server();
    renderPage(<RoutingPage />, { session: admin() });
    const rules = await screen.findAllByTestId('routing-rule');
    expect(rules.map((r) => r.querySelector('strong')!.textContent)).toEqual(['Invoices', 'VIP customers', 'Everything else']);
    expect(rules[0].textContent).toContain('message contains “factura” or “invoice” and language is Spanish');
    expect(rules[0].textContent).toContain('set team Billing, set priority High');
    expect(rules[1].textContent).toContain('contact has tag VIP');
    expect(rules[1].textContent).toContain('assign to Ana Álvarez');
    expect(within(rules[1]).getByText('Off')).toBeTruthy();
    expect(rules[2].textContent).toContain('any new conversation');
    expect((within(rules[0]).getByRole('button', { name: 'Move Invoices up' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(rules[2]).getByRole('button', { name: 'Move Everything else down' }) as HTMLButtonElement).disabled).toBe(true);

    expect((screen.getByLabelText('Default team for Acme Support (+1 555 000 0000)') as HTMLSelectElement).value).toBe('tm-sales');
    expect((screen.getByLabelText('Assignment for Billing') as HTMLSelectElement).value).toBe('round_robin');
    expect((screen.getByLabelText('Reassign after (minutes) for Billing') as HTMLInputElement).value).toBe('15');
    expect((screen.getByLabelText('Reassign after (minutes) for Sales') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Capacity of Ana Álvarez') as HTMLInputElement).value).toBe('5');
    const ana = screen.getAllByTestId('routing-agent')[0];
    expect(ana.textContent).toContain('Online');
    expect(ana.textContent).toContain('2 of 5');
  });

  it('saves a team’s mode and reassignment, a number’s default team and an agent’s capacity', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    const save = screen.getByRole('button', { name: 'Save Sales' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Assignment for Sales'), { target: { value: 'balanced' } });
    fireEvent.change(screen.getByLabelText('Reassign after (minutes) for Sales'), { target: { value: '30' } });
    fireEvent.click(save);
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/teams/tm-sales')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/routing/teams/tm-sales')[0].body).toEqual({ assignment: 'balanced', reassign_after_minutes: 30 });

    // Emptying the minutes switches reassignment off (null).
    fireEvent.change(screen.getByLabelText('Reassign after (minutes) for Billing'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save Billing' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/teams/tm-billing')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/routing/teams/tm-billing')[0].body).toEqual({ assignment: 'round_robin', reassign_after_minutes: null });

    fireEvent.change(screen.getByLabelText('Default team for Acme Support (+1 555 000 0000)'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save Acme Support (+1 555 000 0000)' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/numbers/n1')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/routing/numbers/n1')[0].body).toEqual({ team_id: null });

    fireEvent.change(screen.getByLabelText('Capacity of Bruno Blanco'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save Bruno Blanco' }));
    expect(await screen.findByText('Between 1 and 500.')).toBeTruthy();
    expect(sent(fn, 'PUT', '/api/v1/routing/agents/m-bruno')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Capacity of Bruno Blanco'), { target: { value: '12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save Bruno Blanco' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/agents/m-bruno')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/routing/agents/m-bruno')[0].body).toEqual({ max_open: 12 });
  });

  it('shows the server’s error under the row it is about', async () => {
    server({ put: () => jsonResponse(422, { error: { code: 'validation_failed', message: 'Check the fields.', fields: { reassign_after_minutes: 'Between 1 and 1440 minutes, or null for never.' } } }) });
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.change(screen.getByLabelText('Reassign after (minutes) for Sales'), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save Sales' }));
    const error = await screen.findByText('Between 1 and 1440 minutes, or null for never.');
    const row = screen.getAllByTestId('routing-team')[1];
    expect(row.contains(error)).toBe(true);
    expect(within(row).getByLabelText('Reassign after (minutes) for Sales').getAttribute('aria-invalid')).toBe('true');
  });

  it('creates a rule with conditions and actions, sending the API’s JSON', async () => {
    const fn = server({ rules: [] });
    renderPage(<RoutingPage />, { session: admin() });
    expect(await screen.findByText(/No rules yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'New rule' }));
    const dialog = screen.getByRole('dialog', { name: 'New routing rule' });
    fireEvent.change(within(dialog).getByLabelText('Rule name'), { target: { value: '  Invoices to Billing ' } });
    expect(within(dialog).getByText('No conditions: this rule matches every new conversation.')).toBeTruthy();

    // Conditions: keywords, an attribute, outside business hours (then removed), an ad.
    const addCondition = (type: string) => {
      fireEvent.change(within(dialog).getByLabelText('New condition'), { target: { value: type } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Add condition' }));
    };
    addCondition('keywords');
    addCondition('contact_attribute');
    addCondition('business_hours');
    addCondition('ad_referral');
    let conds = within(dialog).getAllByTestId('rule-condition');
    expect(conds).toHaveLength(4);
    fireEvent.change(within(conds[0]).getByLabelText('Words or phrases'), { target: { value: 'factura, invoice' } });
    fireEvent.change(within(conds[1]).getByLabelText('Attribute key'), { target: { value: 'plan' } });
    fireEvent.change(within(conds[1]).getByLabelText('Value'), { target: { value: 'gold' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove condition 3' }));
    conds = within(dialog).getAllByTestId('rule-condition');
    expect(conds).toHaveLength(3);
    expect(conds[2].textContent).toContain('Came from an ad');

    // Actions: the first team is preselected; change it to Billing, add a tag and the bot.
    let acts = within(dialog).getAllByTestId('rule-action');
    expect(acts).toHaveLength(1);
    fireEvent.change(within(acts[0]).getByLabelText('Team'), { target: { value: 'tm-billing' } });
    const addAction = (type: string) => {
      fireEvent.change(within(dialog).getByLabelText('New action'), { target: { value: type } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Add action' }));
    };
    addAction('add_tag');
    addAction('set_priority');
    addAction('bot');
    acts = within(dialog).getAllByTestId('rule-action');
    expect((within(acts[1]).getByLabelText('Tag') as HTMLSelectElement).value).toBe('tag-vip');
    fireEvent.change(within(acts[2]).getByLabelText('Priority'), { target: { value: 'urgent' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));

    await waitFor(() => expect(sent(fn, 'POST', '/api/v1/routing/rules')).toHaveLength(1));
    expect(sent(fn, 'POST', '/api/v1/routing/rules')[0].body).toEqual({
      name: 'Invoices to Billing',
      enabled: true,
      conditions: [
        { type: 'keywords', keywords: ['factura', 'invoice'] },
        { type: 'contact_attribute', key: 'plan', value: 'gold' },
        { type: 'ad_referral' },
      ],
      actions: [
        { type: 'set_team', team_id: 'tm-billing' },
        { type: 'add_tag', tag_id: 'tag-vip' },
        { type: 'set_priority', priority: 'urgent' },
        { type: 'bot' },
      ],
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const rows = screen.getAllByTestId('routing-rule');
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain('Invoices to Billing');
    expect(rows[0].textContent).toContain('set team Billing, add tag VIP, set priority Urgent, hand to the bot');
  });

  it('checks the obvious mistakes before sending', async () => {
    const fn = server({ rules: [] });
    renderPage(<RoutingPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New rule' }));
    const dialog = screen.getByRole('dialog', { name: 'New routing rule' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add condition' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove action 1' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('Give the rule a name (up to 80 characters).')).toBeTruthy();
    expect(within(within(dialog).getByTestId('rule-condition')).getByText('List at least one word or phrase.')).toBeTruthy();
    expect(within(dialog).getByText('A rule needs at least one action.')).toBeTruthy();
    expect(sent(fn, 'POST')).toHaveLength(0);
  });

  it('shows the server’s error at the condition it names, and the form-level message', async () => {
    server({
      rules: [],
      post: () =>
        jsonResponse(422, {
          error: { code: 'validation_failed', message: 'Check the fields.', fields: { 'conditions[0].pattern': 'This is not a valid regular expression: unclosed group' } },
        }),
    });
    renderPage(<RoutingPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New rule' }));
    const dialog = screen.getByRole('dialog', { name: 'New routing rule' });
    fireEvent.change(within(dialog).getByLabelText('Rule name'), { target: { value: 'Refunds' } });
    fireEvent.change(within(dialog).getByLabelText('New condition'), { target: { value: 'regex' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add condition' }));
    fireEvent.change(within(dialog).getByLabelText('Regular expression'), { target: { value: '(refund' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    const cond = within(dialog).getByTestId('rule-condition');
    expect(await within(cond).findByText('This is not a valid regular expression: unclosed group')).toBeTruthy();
    expect(within(dialog).getByText('Please correct the highlighted fields.')).toBeTruthy();
    expect(screen.getByRole('dialog')).toBeTruthy(); // still open, nothing lost
    expect((within(dialog).getByLabelText('Regular expression') as HTMLInputElement).value).toBe('(refund');
  });

  it('shows a conflict from the server above the form', async () => {
    server({ rules: [], post: () => jsonResponse(409, { error: { code: 'too_many_rules', message: 'A business has at most 100 routing rules.' } }) });
    renderPage(<RoutingPage />, { session: admin() });
    fireEvent.click(await screen.findByRole('button', { name: 'New rule' }));
    const dialog = screen.getByRole('dialog', { name: 'New routing rule' });
    fireEvent.change(within(dialog).getByLabelText('Rule name'), { target: { value: 'One too many' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('A business has at most 100 routing rules.')).toBeTruthy();
  });

  it('edits a rule, keeping what it had', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Invoices' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit routing rule' });
    const conds = within(dialog).getAllByTestId('rule-condition');
    expect((within(conds[0]).getByLabelText('Words or phrases') as HTMLInputElement).value).toBe('factura, invoice');
    fireEvent.change(within(conds[0]).getByLabelText('Words or phrases'), { target: { value: 'factura, invoice, recibo' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(sent(fn, 'PATCH')).toHaveLength(1));
    expect(sent(fn, 'PATCH')[0]).toEqual({
      path: '/api/v1/routing/rules/r1',
      body: {
        name: 'Invoices',
        enabled: true,
        conditions: [
          { type: 'keywords', keywords: ['factura', 'invoice', 'recibo'] },
          { type: 'language', language: 'es' },
        ],
        actions: invoices.actions,
      },
    });
    await waitFor(() => expect(screen.getAllByTestId('routing-rule')[0].textContent).toContain('“recibo”'));
  });

  it('switches a rule on and off', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.click(screen.getByRole('switch', { name: 'Switch VIP customers on' }));
    await waitFor(() => expect(sent(fn, 'PATCH')).toHaveLength(1));
    expect(sent(fn, 'PATCH')[0]).toEqual({ path: '/api/v1/routing/rules/r2', body: { enabled: true } });
    const row = await screen.findByRole('listitem', { name: 'Rule 2: VIP customers' });
    await waitFor(() => expect(within(row).getByText('On')).toBeTruthy());
    expect((within(row).getByRole('switch') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(row).getByRole('switch', { name: 'Switch VIP customers off' }));
    await waitFor(() => expect(sent(fn, 'PATCH')).toHaveLength(2));
    expect(sent(fn, 'PATCH')[1].body).toEqual({ enabled: false });
  });

  it('moves rules up and down with the order endpoint (every id, in the new order)', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.click(screen.getByRole('button', { name: 'Move Everything else up' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/rules/order')).toHaveLength(1));
    expect(sent(fn, 'PUT', '/api/v1/routing/rules/order')[0].body).toEqual({ ids: ['r1', 'r3', 'r2'] });
    await waitFor(() => expect(screen.getAllByTestId('routing-rule').map((r) => r.querySelector('strong')!.textContent)).toEqual(['Invoices', 'Everything else', 'VIP customers']));
    fireEvent.click(screen.getByRole('button', { name: 'Move Invoices down' }));
    await waitFor(() => expect(sent(fn, 'PUT', '/api/v1/routing/rules/order')).toHaveLength(2));
    expect(sent(fn, 'PUT', '/api/v1/routing/rules/order')[1].body).toEqual({ ids: ['r3', 'r1', 'r2'] });
  });

  it('says so when reordering fails, and keeps the old order', async () => {
    server({ order: () => jsonResponse(422, { error: { code: 'validation_failed', message: 'List every rule’s id exactly once, in the new order.', fields: { ids: 'List every rule’s id exactly once, in the new order.' } } }) });
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.click(screen.getByRole('button', { name: 'Move VIP customers up' }));
    expect(await within(screen.getByTestId('routing-rules')).findByRole('alert')).toBeTruthy();
    expect(screen.getByTestId('routing-rules').textContent).toContain('List every rule’s id exactly once');
    expect(screen.getAllByTestId('routing-rule').map((r) => r.querySelector('strong')!.textContent)).toEqual(['Invoices', 'VIP customers', 'Everything else']);
  });

  it('deletes a rule after confirming', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: admin() });
    await screen.findAllByTestId('routing-rule');
    fireEvent.click(screen.getByRole('button', { name: 'Delete VIP customers' }));
    const confirm = screen.getByRole('dialog', { name: 'Delete the rule VIP customers?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, init]) => init?.method === 'DELETE' && String(u) === '/api/v1/routing/rules/r2')).toBe(true));
    await waitFor(() => expect(screen.getAllByTestId('routing-rule')).toHaveLength(2));
  });

  it('teams:manage alone sees assignment and capacity but not the rules', async () => {
    const fn = server();
    renderPage(<RoutingPage />, { session: fakeSession({ me: fakeMe(['teams:manage']) }) });
    expect(await screen.findByLabelText('Assignment for Billing')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(screen.getByText('Routing rules need the settings:manage permission.')).toBeTruthy();
    expect(fn.mock.calls.some(([u]) => String(u).startsWith('/api/v1/routing/rules'))).toBe(false);
  });

  it('speaks Spanish', async () => {
    server();
    await i18n.changeLanguage('es');
    renderPage(<RoutingPage />, { session: admin() });
    const rules = await screen.findAllByTestId('routing-rule');
    expect(screen.getByRole('heading', { name: 'Enrutamiento', level: 1 })).toBeTruthy();
    expect(rules[0].textContent).toContain('el mensaje contiene “factura” o “invoice” y el idioma es Español');
    expect(rules[0].textContent).toContain('asignar el equipo Billing, fijar la prioridad Alta');
    expect((screen.getByLabelText('Asignación de Billing') as HTMLSelectElement).selectedOptions[0].textContent).toBe('Rotativa');
    expect(screen.getByRole('button', { name: 'Nueva regla' })).toBeTruthy();
  });
});
