import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SendBody, Template } from '../../../api';
import { ApiError } from '../../../api/client';
import { jsonResponse, renderPage } from '../../../test/render';
import { TemplatePicker } from './TemplatePicker';

const base = {
  waba_id: 'w1',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'positional',
  rejected_reason: null,
  updated_at: '2026-11-22T10:00:00Z',
} as const;

const orderUpdate: Template = {
  ...base,
  id: 't1',
  name: 'order_update',
  language: 'en_US',
  components: [
    { type: 'BODY', text: 'Your order {{1}} is now {{2}}.' },
    { type: 'FOOTER', text: 'Acme' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }] },
  ],
  variables: { header: [], header_format: null, body: ['1', '2'], buttons: [] },
};
const reminder: Template = {
  ...base,
  id: 't2',
  name: 'appointment_reminder',
  language: 'en_US',
  parameter_format: 'named',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hi {{first_name}}' },
    { type: 'BODY', text: 'See you on {{date}}.' },
  ],
  variables: { header: ['first_name'], header_format: 'TEXT', body: ['date'], buttons: [] },
};

function open(onSend: (b: SendBody) => Promise<void>, items: Template[] = [orderUpdate, reminder]) {
  const fetchMock = vi.fn(async (_url: string) => jsonResponse(200, { items, next_cursor: null }));
  vi.stubGlobal('fetch', fetchMock);
  const onClose = vi.fn();
  renderPage(<TemplatePicker numberId="n1" onClose={onClose} onSend={onSend} />);
  return { fetchMock, onClose };
}

describe('TemplatePicker', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists the number's approved templates, fills each variable with a live preview, and sends", async () => {
    const onSend = vi.fn(async () => {});
    const { fetchMock, onClose } = open(onSend);
    const options = await screen.findAllByRole('option');
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/templates?number_id=n1&status=APPROVED');
    expect(options.map((o) => o.querySelector('.tpl-picker-item-name')?.textContent)).toEqual(['appointment_reminder', 'order_update']);
    fireEvent.click(options[1]);
    const preview = screen.getByTestId('template-preview-body');
    expect(preview.textContent).toBe('Your order {{1}} is now {{2}}.');
    expect(preview.querySelectorAll('.tpl-var-empty')).toHaveLength(2);
    fireEvent.change(screen.getByLabelText('Message {{1}}'), { target: { value: 'A-42' } });
    expect(preview.textContent).toBe('Your order A-42 is now {{2}}.');
    // Nothing is sent while a variable is empty.
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    expect(await screen.findByText('Fill this in.')).toBeTruthy();
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Message {{2}}'), { target: { value: 'on its way' } });
    expect(preview.textContent).toBe('Your order A-42 is now on its way.');
    expect(screen.getByTestId('template-preview').textContent).toContain('Thanks');
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    await waitFor(() => expect(onSend).toHaveBeenCalledWith({ type: 'template', template_id: 't1', body: { 1: 'A-42', 2: 'on its way' } }));
    expect(onClose).toHaveBeenCalled();
  });

  it('named variables, header included', async () => {
    const onSend = vi.fn(async () => {});
    open(onSend);
    fireEvent.click(await screen.findByRole('option', { name: /appointment_reminder/ }));
    fireEvent.change(screen.getByLabelText('Header {{first_name}}'), { target: { value: 'Ana' } });
    fireEvent.change(screen.getByLabelText('Message {{date}}'), { target: { value: 'Friday 28' } });
    expect(screen.getByTestId('template-preview').textContent).toContain('Hi Ana');
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    await waitFor(() =>
      expect(onSend).toHaveBeenCalledWith({ type: 'template', template_id: 't2', header: { first_name: 'Ana' }, body: { date: 'Friday 28' } }),
    );
  });

  it('refuses values WhatsApp would refuse, and shows the server’s 422', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, 'template_parameters', 'The body takes 2 value(s) ({{1}}, {{2}}); missing {{2}}.');
    });
    open(onSend);
    fireEvent.click(await screen.findByRole('option', { name: /order_update/ }));
    fireEvent.change(screen.getByLabelText('Message {{1}}'), { target: { value: 'A    42' } });
    fireEvent.change(screen.getByLabelText('Message {{2}}'), { target: { value: 'shipped' } });
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    expect(await screen.findByText(/more than three spaces in a row/)).toBeTruthy();
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Message {{1}}'), { target: { value: 'A-42' } });
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    const alert = await screen.findByText(/The values do not match the template/);
    expect(alert.textContent).toContain('missing {{2}}');
  });

  it('says so when the number has no approved template', async () => {
    open(vi.fn(), [{ ...orderUpdate, status: 'PENDING' }]);
    expect(await screen.findByRole('heading', { name: 'No approved templates' })).toBeTruthy();
    expect(within(screen.getByRole('dialog')).getByRole('link', { name: 'Open Templates' }).getAttribute('href')).toBe('/settings/templates');
  });
});
