import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Template, WhatsAppNumber } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { TemplatesPage } from './TemplatesPage';

const sandbox: WhatsAppNumber = {
  id: 'n1',
  phone_number_id: 'sandbox-1',
  waba_id: 'sandbox-waba-1',
  display_phone_number: '15550000000',
  verified_name: 'Sandbox',
  quality_rating: 'GREEN',
  messaging_limit: null,
  throughput_per_second: 80,
  status: 'connected',
  sandbox: true,
  created_at: '2026-11-22T09:00:00Z',
};

const tpl = (partial: Partial<Template>): Template => ({
  id: 't',
  waba_id: 'w',
  name: 'welcome',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'positional',
  components: [{ type: 'BODY', text: 'Hi {{1}}, thanks for contacting us!' }],
  variables: { header: [], header_format: null, body: ['1'], buttons: [] },
  rejected_reason: null,
  updated_at: '2026-11-22T10:00:00Z',
  ...partial,
});

function server(items: Template[], onCreate?: (body: Record<string, unknown>) => Response) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: [sandbox], next_cursor: null });
    if (u.pathname === '/api/v1/templates' && init.method === 'POST') return onCreate!(JSON.parse(String(init.body)));
    if (u.pathname === '/api/v1/templates') return jsonResponse(200, { items, next_cursor: null });
    if (u.pathname === '/api/v1/templates/sync') return new Response(null, { status: 202 });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

const manager = () => fakeSession({ me: fakeMe(['numbers:manage', 'conversations:reply']) });

describe('TemplatesPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists templates with status, category, language, body and why one was rejected; read-only without numbers:manage', async () => {
    server([
      tpl({ id: 't1' }),
      tpl({ id: 't2', name: 'spring_sale', language: 'es', status: 'REJECTED', category: 'MARKETING', rejected_reason: 'INVALID_FORMAT' }),
      tpl({ id: 't3', name: 'order_update', status: 'PENDING', components: [{ type: 'BODY', text: 'Your order {{1}}\nis {{2}}.' }] }),
    ]);
    renderPage(<TemplatesPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    const rows = await screen.findAllByTestId('template-row');
    expect(rows.map((r) => r.querySelector('.strong')?.textContent)).toEqual(['order_update', 'spring_sale', 'welcome']);
    expect(within(rows[0]).getByTestId('template-status').textContent).toBe('In review');
    expect(rows[0].textContent).toContain('Your order {{1}} is {{2}}.');
    expect(within(rows[1]).getByTestId('template-status').textContent).toBe('Rejected');
    expect(within(rows[1]).getByTestId('template-rejected-reason').textContent).toBe('Reason: Invalid format');
    expect(rows[1].textContent).toContain('Marketing');
    expect(rows[1].textContent).toContain('es');
    expect(within(rows[2]).getByTestId('template-status').textContent).toBe('Approved');
    expect(screen.queryByRole('button', { name: 'New template' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Sync from Meta/ })).toBeNull();
    expect(screen.getByText(/Only people allowed to manage WhatsApp numbers can write templates/)).toBeTruthy();
  });

  it('writes a template: variables get examples, buttons are quick replies, the preview follows', async () => {
    let created: Record<string, unknown> | null = null;
    server([tpl({ id: 't1' })], (body) => {
      created = body;
      return jsonResponse(201, tpl({ id: 't9', name: String(body.name), components: body.components as Template['components'] }));
    });
    renderPage(<TemplatesPage />, { session: manager() });
    await screen.findAllByTestId('template-row');
    fireEvent.click(screen.getByRole('button', { name: 'New template' }));
    const dialog = screen.getByRole('dialog', { name: 'New message template' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Submit for review' }));
    expect(within(dialog).getAllByText('This field is required.').length).toBeGreaterThan(0);
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Delivery Slot' } });
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('delivery_slot');
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'Hi {{1}}, we come on' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add variable' }));
    expect((within(dialog).getByLabelText('Message') as HTMLTextAreaElement).value).toBe('Hi {{1}}, we come on {{2}}');
    fireEvent.change(within(dialog).getByLabelText('Example for {{1}} (message)'), { target: { value: 'Carla' } });
    fireEvent.change(within(dialog).getByLabelText('Example for {{2}} (message)'), { target: { value: 'Friday' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add button' }));
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Button 1' }), { target: { value: 'Perfect' } });
    expect(within(dialog).getByTestId('template-preview').textContent).toContain('Hi Carla, we come on Friday');
    expect(within(dialog).getByTestId('template-preview').textContent).toContain('Perfect');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Submit for review' }));
    await waitFor(() => expect(created).not.toBeNull());
    expect(created).toEqual({
      number_id: 'n1',
      name: 'delivery_slot',
      language: 'en',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, we come on {{2}}', example: { body_text: [['Carla', 'Friday']] } },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Perfect' }] },
      ],
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getAllByTestId('template-row').map((r) => r.querySelector('.strong')?.textContent)).toContain('delivery_slot');
  });

  it('checks the variable numbering and shows a taken name on the field', async () => {
    server([], () => jsonResponse(409, { error: { code: 'conflict', message: 'A template with this name and language already exists.' } }));
    renderPage(<TemplatesPage />, { session: manager() });
    fireEvent.click(await screen.findByRole('button', { name: 'New template' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'welcome' } });
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'Hi {{2}}' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Submit for review' }));
    expect(within(dialog).getByText('Number the variables {{1}}, {{2}}, … in order.')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'Thanks for writing!' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Submit for review' }));
    expect(await within(dialog).findByText('A template with this name and language already exists.')).toBeTruthy();
  });

  it('asks Meta for the templates again', async () => {
    const fetchMock = server([]);
    renderPage(<TemplatesPage />, { session: manager() });
    fireEvent.click(await screen.findByRole('button', { name: /Sync from Meta/ }));
    await waitFor(() => expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/v1/templates/sync' && i?.method === 'POST')).toBe(true));
    const call = fetchMock.mock.calls.find(([u]) => u === '/api/v1/templates/sync')!;
    expect(JSON.parse(String(call[1]?.body))).toEqual({ number_id: 'n1' });
    expect(await screen.findByText(/reading the templates from Meta again/)).toBeTruthy();
  });
});
