// Message templates: what a send must fill in, how the filled template reads, and the shape
// checks the server makes (so the agent hears about a problem before sending). Mirrors
// tenants/src/templates.rs; the server stays the judge (422 `template_parameters`).
import type { SendBody, Template, TemplateButton, TemplateComponent, TemplateVariables } from '../api/types';

export interface TemplateValues {
  header: Record<string, string>;
  body: Record<string, string>;
  /** By button index ("0", "1", …). */
  buttons: Record<string, string>;
}

export const emptyValues = (): TemplateValues => ({ header: {}, body: {}, buttons: {} });

/** The variable names of a text, in order of first appearance: `{{1}}`, `{{ first_name }}`. */
export function placeholders(text: string): string[] {
  const found: string[] = [];
  const re = /\{\{([^{}]*)\}\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1].trim();
    if (name && /^[\p{L}\p{N}_]+$/u.test(name) && !found.includes(name)) found.push(name);
  }
  return found;
}

export function component(t: Pick<Template, 'components'>, type: string): TemplateComponent | undefined {
  return (t.components ?? []).find((c) => typeof c?.type === 'string' && c.type.toUpperCase() === type);
}

export function buttonsOf(t: Pick<Template, 'components'>): TemplateButton[] {
  const list = component(t, 'BUTTONS')?.buttons;
  return Array.isArray(list) ? list : [];
}

/** The template's variables: the server's `variables`, or worked out from the components. */
export function variablesOf(t: Pick<Template, 'components'> & { variables?: TemplateVariables | null }): TemplateVariables {
  if (t.variables && Array.isArray(t.variables.body)) return t.variables;
  const header = component(t, 'HEADER');
  const format = header ? (header.format ?? 'TEXT').toUpperCase() : null;
  const buttons: TemplateVariables['buttons'] = [];
  buttonsOf(t).forEach((b, index) => {
    const type = (b.type ?? '').toUpperCase();
    const vars = type === 'URL' ? placeholders(b.url ?? '') : type === 'COPY_CODE' ? ['code'] : [];
    if (vars.length) buttons.push({ index, type, variables: vars });
  });
  return {
    header_format: format,
    header: format === 'TEXT' ? placeholders(header?.text ?? '') : [],
    body: placeholders(component(t, 'BODY')?.text ?? ''),
    buttons,
  };
}

export interface Segment {
  text: string;
  /** Set for a variable: its name, and whether a value filled it. */
  variable?: string;
  filled?: boolean;
}

/** The text cut into literal parts and variables, each variable replaced by its value if given. */
export function renderSegments(text: string, values: Record<string, string> = {}): Segment[] {
  const out: Segment[] = [];
  const re = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1].trim();
    if (!name || !/^[\p{L}\p{N}_]+$/u.test(name)) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    const value = values[name]?.trim();
    out.push(value ? { text: value, variable: name, filled: true } : { text: `{{${name}}}`, variable: name, filled: false });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** The text with the values put in (unfilled variables stay as `{{name}}`). */
export function substitute(text: string, values: Record<string, string> = {}): string {
  return renderSegments(text, values)
    .map((s) => s.text)
    .join('');
}

export type ValueProblem = 'required' | 'format' | 'long';

/** What WhatsApp would refuse in a template value (no line breaks, tabs or 4+ spaces; ≤1024). */
export function valueProblem(value: string | undefined): ValueProblem | null {
  const v = (value ?? '').trim();
  if (!v) return 'required';
  if (/[\n\t]/.test(v) || v.includes('    ')) return 'format';
  if ([...v].length > 1024) return 'long';
  return null;
}

/** Every problem of the values, keyed `header.1`, `body.2`, `buttons.0`. */
export function valuesProblems(vars: TemplateVariables, values: TemplateValues): Record<string, ValueProblem> {
  const out: Record<string, ValueProblem> = {};
  const textHeader = !vars.header_format || vars.header_format === 'TEXT';
  if (textHeader) {
    for (const v of vars.header) {
      const p = valueProblem(values.header[v]);
      if (p) out[`header.${v}`] = p;
    }
  }
  for (const v of vars.body) {
    const p = valueProblem(values.body[v]);
    if (p) out[`body.${v}`] = p;
  }
  for (const b of vars.buttons) {
    const p = valueProblem(values.buttons[String(b.index)]);
    if (p) out[`buttons.${b.index}`] = p;
  }
  return out;
}

/** Header formats that need a file with the send. */
export function headerNeedsFile(vars: TemplateVariables): 'IMAGE' | 'VIDEO' | 'DOCUMENT' | null {
  const f = (vars.header_format ?? '').toUpperCase();
  return f === 'IMAGE' || f === 'VIDEO' || f === 'DOCUMENT' ? f : null;
}

/** The body of `POST /conversations/{id}/messages` for a template send: only what the template takes. */
export function templateSendBody(t: Template, values: TemplateValues, headerMediaId?: string | null): SendBody {
  const vars = variablesOf(t);
  const pick = (names: string[], from: Record<string, string>) =>
    Object.fromEntries(names.map((n) => [n, (from[n] ?? '').trim()]));
  const body: SendBody = { type: 'template', template_id: t.id };
  if (headerNeedsFile(vars)) {
    if (headerMediaId) body.header_media_id = headerMediaId;
  } else if (vars.header.length) {
    body.header = pick(vars.header, values.header);
  }
  if (vars.body.length) body.body = pick(vars.body, values.body);
  if (vars.buttons.length) {
    body.buttons = Object.fromEntries(vars.buttons.map((b) => [String(b.index), (values.buttons[String(b.index)] ?? '').trim()]));
  }
  return body;
}

/** How a template reads in a list: its body text, on one line. */
export function bodyPreview(t: Pick<Template, 'components'>): string {
  return (component(t, 'BODY')?.text ?? '').replace(/\s+/g, ' ').trim();
}

// ---------- Writing a template (the "New template" form) ----------

export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})*$/;

/** Names are lowercase with underscores: "Order update" → "order_update". */
export function normaliseTemplateName(value: string): string {
  return value.toLowerCase().replace(/[\s-]+/g, '_');
}

/** `{{1}}`, `{{2}}`, … numbered in order from 1, or null when they are not. */
export function positionalProblem(text: string): 'order' | 'mixed' | null {
  const vars = placeholders(text);
  const numeric = vars.filter((v) => /^\d+$/.test(v));
  if (numeric.length !== vars.length) return 'mixed';
  return numeric.every((v, i) => Number(v) === i + 1) ? null : 'order';
}

/** The next variable to insert in a positional text. */
export function nextVariable(text: string): string {
  const nums = placeholders(text)
    .filter((v) => /^\d+$/.test(v))
    .map(Number);
  return `{{${(nums.length ? Math.max(...nums) : 0) + 1}}}`;
}

export interface TemplateDraft {
  header: string;
  body: string;
  footer: string;
  buttons: string[];
  /** Sample values Meta's review needs, by variable. */
  headerSamples: Record<string, string>;
  bodySamples: Record<string, string>;
}

/** Meta's components for a draft, with the examples its review asks for. */
export function draftComponents(d: TemplateDraft): TemplateComponent[] {
  const out: TemplateComponent[] = [];
  const header = d.header.trim();
  if (header) {
    const vars = placeholders(header);
    const c: TemplateComponent = { type: 'HEADER', format: 'TEXT', text: header };
    if (vars.length) c.example = { header_text: vars.map((v) => (d.headerSamples[v] ?? '').trim()) };
    out.push(c);
  }
  const body = d.body.trim();
  const bodyVars = placeholders(body);
  const bc: TemplateComponent = { type: 'BODY', text: body };
  if (bodyVars.length) bc.example = { body_text: [bodyVars.map((v) => (d.bodySamples[v] ?? '').trim())] };
  out.push(bc);
  const footer = d.footer.trim();
  if (footer) out.push({ type: 'FOOTER', text: footer });
  const buttons = d.buttons.map((b) => b.trim()).filter(Boolean);
  if (buttons.length) out.push({ type: 'BUTTONS', buttons: buttons.map((text) => ({ type: 'QUICK_REPLY', text })) });
  return out;
}
