import { describe, expect, it } from 'vitest';
import type { Template } from '../api/types';
import {
  draftComponents,
  nextVariable,
  normaliseTemplateName,
  placeholders,
  positionalProblem,
  renderSegments,
  substitute,
  templateSendBody,
  valueProblem,
  valuesProblems,
  variablesOf,
} from './templates';

function template(partial: Partial<Template> = {}): Template {
  return {
    id: 'tpl1',
    waba_id: 'waba',
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'positional',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}. Thanks, {{1}}!' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'OK' }, { type: 'URL', text: 'Track', url: 'https://x.example/{{1}}' }] },
    ],
    variables: { header: ['1'], header_format: 'TEXT', body: ['1', '2'], buttons: [{ index: 1, type: 'URL', variables: ['1'] }] },
    rejected_reason: null,
    updated_at: '2026-11-22T10:00:00Z',
    ...partial,
  };
}

describe('template variables', () => {
  it('finds positional and named placeholders once each, in order', () => {
    expect(placeholders('Hi {{1}}, order {{2}} for {{1}}')).toEqual(['1', '2']);
    expect(placeholders('Hello {{ first_name }}, see you on {{date}}')).toEqual(['first_name', 'date']);
    expect(placeholders('No {{}} or {{two words}} or {single}')).toEqual([]);
  });

  it('substitutes values, keeping unfilled variables visible', () => {
    expect(substitute('Hi {{1}}, your order is {{2}}.', { 1: 'Carla', 2: 'on its way' })).toBe('Hi Carla, your order is on its way.');
    expect(substitute('Hi {{1}}, your order is {{2}}.', { 1: '  Carla ' })).toBe('Hi Carla, your order is {{2}}.');
    expect(substitute('Hello {{ first_name }}', { first_name: 'Ana' })).toBe('Hello Ana');
    const parts = renderSegments('Hi {{1}} and {{2}}', { 1: 'Carla' });
    expect(parts).toEqual([
      { text: 'Hi ' },
      { text: 'Carla', variable: '1', filled: true },
      { text: ' and ' },
      { text: '{{2}}', variable: '2', filled: false },
    ]);
  });

  it('works the variables out from the components when the server gives none', () => {
    const t = template({ variables: undefined as unknown as Template['variables'] });
    expect(variablesOf(t)).toEqual({ header_format: 'TEXT', header: ['1'], body: ['1', '2'], buttons: [{ index: 1, type: 'URL', variables: ['1'] }] });
    expect(variablesOf({ components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Look' }] }).header_format).toBe('IMAGE');
  });

  it('checks values as WhatsApp would', () => {
    expect(valueProblem('')).toBe('required');
    expect(valueProblem('   ')).toBe('required');
    expect(valueProblem('two\nlines')).toBe('format');
    expect(valueProblem('tab\there')).toBe('format');
    expect(valueProblem('four    spaces')).toBe('format');
    expect(valueProblem('x'.repeat(1025))).toBe('long');
    expect(valueProblem('Carla')).toBeNull();
    const problems = valuesProblems(template().variables, { header: { 1: 'A-1' }, body: { 1: 'Carla' }, buttons: {} });
    expect(problems).toEqual({ 'body.2': 'required', 'buttons.1': 'required' });
  });

  it('builds the send with exactly the values the template takes', () => {
    const body = templateSendBody(template(), { header: { 1: ' A-42 ' }, body: { 1: 'Carla', 2: 'shipped', 3: 'extra' }, buttons: { 1: 'A-42' } });
    expect(body).toEqual({ type: 'template', template_id: 'tpl1', header: { 1: 'A-42' }, body: { 1: 'Carla', 2: 'shipped' }, buttons: { 1: 'A-42' } });
    const media = template({
      components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Look at this' }],
      variables: { header: [], header_format: 'IMAGE', body: [], buttons: [] },
    });
    expect(templateSendBody(media, { header: {}, body: {}, buttons: {} }, 'media-1')).toEqual({ type: 'template', template_id: 'tpl1', header_media_id: 'media-1' });
  });
});

describe('writing a template', () => {
  it('normalises names and numbers variables in order', () => {
    expect(normaliseTemplateName('Order Update-2')).toBe('order_update_2');
    expect(positionalProblem('Hi {{1}}, {{2}}')).toBeNull();
    expect(positionalProblem('Hi {{2}}')).toBe('order');
    expect(positionalProblem('Hi {{1}} {{name}}')).toBe('mixed');
    expect(nextVariable('')).toBe('{{1}}');
    expect(nextVariable('Hi {{1}}, order {{2}}')).toBe('{{3}}');
  });

  it("gives Meta's components with examples for every variable", () => {
    expect(
      draftComponents({
        header: 'Order {{1}}',
        body: 'Hi {{1}}, it arrives {{2}}.',
        footer: ' Acme ',
        buttons: ['Yes', ' ', 'No'],
        headerSamples: { 1: 'A-42' },
        bodySamples: { 1: 'Carla', 2: 'Friday' },
      }),
    ).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-42'] } },
      { type: 'BODY', text: 'Hi {{1}}, it arrives {{2}}.', example: { body_text: [['Carla', 'Friday']] } },
      { type: 'FOOTER', text: 'Acme' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'QUICK_REPLY', text: 'No' }] },
    ]);
    expect(draftComponents({ header: '', body: 'Thanks!', footer: '', buttons: [], headerSamples: {}, bodySamples: {} })).toEqual([{ type: 'BODY', text: 'Thanks!' }]);
  });
});
