// The composer's "More" messages: reply buttons, a list, a location. A compact form with the
// limits WhatsApp sets counted live next to each field, a preview of what the customer will see,
// and the server's refusals shown next to the field they are about.
import { useId, useRef, useState, type ClipboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../api';
import { Alert } from '../../../components/Alert';
import { Icon } from '../../../components/Icon';
import { Modal } from '../../../components/Modal';
import { RichText } from '../../../components/RichText';
import { CONFLICT_CODES } from '../../../lib/composer';
import { splitApiError } from '../../../lib/errors';
import {
  buttonsBody,
  buttonsProblems,
  chars,
  emptyButtons,
  emptyList,
  emptyLocation,
  emptyRow,
  isLive,
  LIMITS,
  listBody,
  listProblems,
  locationBody,
  locationProblems,
  parseCoordinate,
  parseCoordinatePair,
  rowCount,
  type ButtonsDraft,
  type ListDraft,
  type LocationDraft,
  type Problem,
  type Problems,
  type RichBody,
  type RichKind,
} from '../../../lib/interactive';
import { Location } from './MessageBubble';

export interface RichMessageFormProps {
  kind: RichKind;
  onClose: () => void;
  /** Sends the message; throwing keeps the form open and shows why. */
  onSend: (body: RichBody, opts?: { force?: boolean }) => Promise<void>;
  /** The message being quoted (sent as `reply_to` by the caller). */
  replyTo?: { author: string; text: string } | null;
}

/** The fields the server may name in a refusal, by kind (others go above the form). */
const SERVER_FIELDS: Record<RichKind, string[]> = {
  buttons: ['header', 'body', 'footer'],
  list: ['header', 'body', 'footer', 'button'],
  location: ['latitude', 'longitude', 'name', 'address'],
};

type T = ReturnType<typeof useTranslation>['t'];

function problemText(t: T, p: Problem): string {
  switch (p.code) {
    case 'tooLong':
      return t('inbox.rich.problem.tooLong', { max: p.max });
    case 'range':
      return t('inbox.rich.problem.range', { min: p.min, max: p.max });
    default:
      return t(`inbox.rich.problem.${p.code}`);
  }
}

/** A text input or textarea with its character count in the corner. */
function LimitedField({
  label,
  value,
  max,
  onChange,
  error,
  hint,
  placeholder,
  multiline = false,
  hideLabel = false,
  testId,
  onPaste,
  countFrom = 0,
  quiet = false,
}: {
  label: string;
  value: string;
  max?: number;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  placeholder?: string;
  multiline?: boolean;
  hideLabel?: boolean;
  testId?: string;
  onPaste?: (text: string) => boolean;
  /** Show the count only from this many characters on (long limits). */
  countFrom?: number;
  /** Show the count only while the field has focus or nears its limit (narrow fields). */
  quiet?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const count = chars(value.trim());
  const over = max !== undefined && count > max;
  const counted = max !== undefined && count >= countFrom;
  const described = [error ? `${id}-error` : hint ? `${id}-hint` : null, counted ? `${id}-count` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    value,
    placeholder,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    'data-testid': testId,
    maxLength: max !== undefined ? max + 100 : undefined,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    onPaste: onPaste
      ? (e: ClipboardEvent) => {
          if (onPaste(e.clipboardData.getData('text'))) e.preventDefault();
        }
      : undefined,
  };
  return (
    <div className={`field rich-field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : 'field-label'}>
        {label}
      </label>
      <div className={`counted${multiline ? ' counted-multiline' : ''}${quiet ? ' counted-quiet' : ''}${quiet && max !== undefined && count > max - 5 ? ' counted-near' : ''}`}>
        {multiline ? <textarea className="input textarea rich-textarea" rows={3} {...common} /> : <input className="input input-sm" {...common} />}
        {counted && (
          <span className={`counted-n${over ? ' counted-over' : ''}`} id={`${id}-count`} data-testid={testId ? `${testId}-count` : undefined}>
            <span aria-hidden="true">
              {count}/{max}
            </span>
            <span className="sr-only">{t('inbox.rich.countLabel', { count, max })}</span>
          </span>
        )}
      </div>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function PreviewText({ value, fallback }: { value: string; fallback: string }) {
  const v = value.trim();
  return v ? <RichText text={v} /> : <span className="rich-preview-placeholder">{fallback}</span>;
}

function ButtonsPreview({ d }: { d: ButtonsDraft }) {
  const { t } = useTranslation();
  return (
    <div className="tpl-preview" data-testid="rich-preview">
      <div className="tpl-preview-bubble">
        {d.header.trim() && <div className="tpl-preview-header">{d.header.trim()}</div>}
        <div className="tpl-preview-body">
          <PreviewText value={d.body} fallback={t('inbox.rich.previewBody')} />
        </div>
        {d.footer.trim() && <div className="tpl-preview-footer">{d.footer.trim()}</div>}
      </div>
      <div className="tpl-preview-buttons">
        {d.buttons.map((b, i) => (
          <span key={i} className="tpl-preview-button">
            <Icon name="reply" size={13} />
            {b.trim() || <span className="rich-preview-placeholder">{t('inbox.rich.buttonN', { n: i + 1 })}</span>}
          </span>
        ))}
      </div>
    </div>
  );
}

function ListPreview({ d }: { d: ListDraft }) {
  const { t } = useTranslation();
  const label = d.button.trim();
  return (
    <div className="tpl-preview" data-testid="rich-preview">
      <div className="tpl-preview-bubble">
        {d.header.trim() && <div className="tpl-preview-header">{d.header.trim()}</div>}
        <div className="tpl-preview-body">
          <PreviewText value={d.body} fallback={t('inbox.rich.previewBody')} />
        </div>
        {d.footer.trim() && <div className="tpl-preview-footer">{d.footer.trim()}</div>}
        <div className="rich-preview-list-button">
          <Icon name="list" size={14} />
          {label || <span className="rich-preview-placeholder">{t('inbox.rich.previewListButton')}</span>}
        </div>
      </div>
      <div className="rich-preview-sheet">
        <div className="rich-preview-sheet-title">{t('inbox.rich.previewListOpen', { button: label || t('inbox.rich.previewListButton') })}</div>
        {d.sections.map((s, i) => (
          <div key={i} className="msg-list-section">
            {s.title.trim() && <div className="msg-list-title">{s.title.trim()}</div>}
            {s.rows.map((r, j) => (
              <div key={j} className="msg-list-row rich-preview-row">
                <span className="msg-list-row-title">{r.title.trim() || <span className="rich-preview-placeholder">{t('inbox.rich.previewRow')}</span>}</span>
                {r.description.trim() && <span className="msg-list-row-detail">{r.description.trim()}</span>}
                <span className="rich-preview-radio" aria-hidden="true" />
              </div>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

function LocationPreview({ d }: { d: LocationDraft }) {
  const lat = parseCoordinate(d.latitude);
  const lon = parseCoordinate(d.longitude);
  const ok = lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return (
    <div className="tpl-preview" data-testid="rich-preview">
      <div className="tpl-preview-bubble">
        <Location
          message={{
            body: null,
            content: { latitude: ok ? lat : null, longitude: ok ? lon : null, name: d.name.trim() || null, address: d.address.trim() || null },
          }}
        />
      </div>
    </div>
  );
}

export function RichMessageForm({ kind, onClose, onSend, replyTo }: RichMessageFormProps) {
  const { t } = useTranslation();
  const [buttons, setButtons] = useState<ButtonsDraft>(emptyButtons);
  const [list, setList] = useState<ListDraft>(emptyList);
  const [place, setPlace] = useState<LocationDraft>(emptyLocation);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [server, setServer] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  const problems: Problems = kind === 'buttons' ? buttonsProblems(buttons) : kind === 'list' ? listProblems(list) : locationProblems(place);
  const err = (key: string): string | undefined => {
    if (server[key]) return server[key];
    const p = problems[key];
    return p && (tried || isLive(p)) ? problemText(t, p) : undefined;
  };
  const changed = () => {
    setServer({});
    setConflict(null);
  };
  const editButtons = (patch: (d: ButtonsDraft) => ButtonsDraft) => {
    changed();
    setButtons(patch);
  };
  const editList = (patch: (d: ListDraft) => ListDraft) => {
    changed();
    setList(patch);
  };
  const editPlace = (patch: Partial<LocationDraft>) => {
    changed();
    setPlace((d) => ({ ...d, ...patch }));
  };
  const pastePair = (text: string) => {
    const pair = parseCoordinatePair(text);
    if (!pair) return false;
    editPlace({ latitude: String(pair.latitude), longitude: String(pair.longitude) });
    return true;
  };

  async function send(force = false) {
    setTried(true);
    if (Object.keys(problems).length > 0) {
      requestAnimationFrame(() => root.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const body: RichBody = kind === 'buttons' ? buttonsBody(buttons) : kind === 'list' ? listBody(list) : locationBody(place);
    setBusy(true);
    setError(null);
    setServer({});
    setConflict(null);
    try {
      await (force ? onSend(body, { force: true }) : onSend(body));
      onClose();
    } catch (e) {
      setBusy(false);
      if (isApiError(e) && e.status === 409 && CONFLICT_CODES.has(e.code)) {
        setConflict(e.message || t('inbox.composer.conflictDefault'));
        return;
      }
      const known = [...SERVER_FIELDS[kind], 'reply_to'];
      const split = splitApiError(t, e, known);
      setServer(split.fields);
      setError(split.form);
    }
  }

  const rows = rowCount(list);
  let rowNumber = 0;

  return (
    <Modal
      title={t(`inbox.rich.${kind}Title`)}
      subtitle={t(`inbox.rich.${kind}Subtitle`)}
      onClose={onClose}
      size={kind === 'list' ? 'xl' : 'lg'}
      busy={busy}
      onSubmit={() => void send()}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="rich-send">
            <Icon name="send" size={15} />
            {busy ? t('inbox.rich.sending') : t('inbox.rich.send')}
          </button>
        </>
      }
    >
      <div className="rich-form" ref={root} data-testid={`rich-form-${kind}`}>
        {replyTo && (
          <div className={`composer-reply rich-reply${server.reply_to ? ' rich-reply-invalid' : ''}`} data-testid="rich-reply">
            <Icon name="reply" size={15} />
            <span className="composer-reply-text">
              <span className="quote-author">{t('inbox.rich.replyingTo', { author: replyTo.author })}</span>
              <span className="quote-text">{replyTo.text}</span>
              {server.reply_to && (
                <span className="field-error" role="alert">
                  {server.reply_to}
                </span>
              )}
            </span>
          </div>
        )}
        {conflict && (
          <div className="composer-conflict" role="alert" data-testid="rich-conflict">
            <Icon name="alert" size={16} />
            <span className="composer-conflict-text">
              <strong>{t('inbox.composer.conflictTitle')}</strong>
              <span>{conflict}</span>
            </span>
            <span className="composer-conflict-actions">
              <button type="button" className="btn btn-primary btn-sm" onClick={() => void send(true)} disabled={busy}>
                {t('inbox.composer.sendAnyway')}
              </button>
            </span>
          </div>
        )}
        {error && <Alert>{error}</Alert>}
        <div className="rich-columns">
          <div className="form rich-fields">
            {kind === 'buttons' && (
              <>
                <LimitedField label={t('inbox.rich.header')} value={buttons.header} max={LIMITS.header} onChange={(v) => editButtons((d) => ({ ...d, header: v }))} error={err('header')} />
                <LimitedField
                  label={t('inbox.rich.body')}
                  value={buttons.body}
                  max={LIMITS.buttonsBody}
                  multiline
                  onChange={(v) => editButtons((d) => ({ ...d, body: v }))}
                  error={err('body')}
                  testId="rich-body"
                />
                <LimitedField label={t('inbox.rich.footer')} value={buttons.footer} max={LIMITS.footer} onChange={(v) => editButtons((d) => ({ ...d, footer: v }))} error={err('footer')} />
                <fieldset className="field rich-group">
                  <legend className="rich-group-head">
                    <span className="field-label">{t('inbox.rich.buttons')}</span>
                    <span className="rich-group-count" data-testid="rich-buttons-count">
                      {t('inbox.rich.buttonsCount', { count: buttons.buttons.length, max: LIMITS.buttons })}
                    </span>
                  </legend>
                  {buttons.buttons.map((b, i) => (
                    <div key={i} className="rich-item">
                      <LimitedField
                        label={t('inbox.rich.buttonN', { n: i + 1 })}
                        hideLabel
                        placeholder={t('inbox.rich.buttonN', { n: i + 1 })}
                        value={b}
                        max={LIMITS.buttonTitle}
                        onChange={(v) => editButtons((d) => ({ ...d, buttons: d.buttons.map((x, j) => (j === i ? v : x)) }))}
                        error={err(`buttons.${i}`)}
                      />
                      <button
                        type="button"
                        className="icon-button rich-remove"
                        aria-label={t('inbox.rich.removeButton', { n: i + 1 })}
                        title={t('inbox.rich.removeButton', { n: i + 1 })}
                        disabled={buttons.buttons.length <= 1}
                        onClick={() => editButtons((d) => ({ ...d, buttons: d.buttons.filter((_, j) => j !== i) }))}
                      >
                        <Icon name="trash" size={16} />
                      </button>
                    </div>
                  ))}
                  {buttons.buttons.length < LIMITS.buttons && (
                    <button type="button" className="btn btn-ghost btn-sm rich-add" onClick={() => editButtons((d) => ({ ...d, buttons: [...d.buttons, ''] }))}>
                      <Icon name="plus" size={14} />
                      {t('inbox.rich.addButton')}
                    </button>
                  )}
                </fieldset>
              </>
            )}
            {kind === 'list' && (
              <>
                <LimitedField label={t('inbox.rich.header')} value={list.header} max={LIMITS.header} onChange={(v) => editList((d) => ({ ...d, header: v }))} error={err('header')} />
                <LimitedField
                  label={t('inbox.rich.body')}
                  value={list.body}
                  max={LIMITS.listBody}
                  multiline
                  onChange={(v) => editList((d) => ({ ...d, body: v }))}
                  error={err('body')}
                  testId="rich-body"
                />
                <LimitedField label={t('inbox.rich.footer')} value={list.footer} max={LIMITS.footer} onChange={(v) => editList((d) => ({ ...d, footer: v }))} error={err('footer')} />
                <LimitedField
                  label={t('inbox.rich.listButton')}
                  placeholder={t('inbox.rich.listButtonPlaceholder')}
                  value={list.button}
                  max={LIMITS.listButton}
                  onChange={(v) => editList((d) => ({ ...d, button: v }))}
                  error={err('button')}
                />
                <div className="rich-group-head rich-rows-head">
                  <span className="field-label">{t('inbox.rich.rows')}</span>
                  <span className={`rich-group-count${rows > LIMITS.rows ? ' counted-over' : ''}`} data-testid="rich-rows-count">
                    {t('inbox.rich.rowsCount', { count: rows, max: LIMITS.rows })}
                  </span>
                </div>
                {list.sections.map((s, i) => (
                  <fieldset key={i} className="field rich-group rich-section">
                    <legend className="sr-only">{t('inbox.rich.section', { n: i + 1 })}</legend>
                    <div className="rich-item">
                      <LimitedField
                        label={list.sections.length > 1 ? t('inbox.rich.sectionTitle', { n: i + 1 }) : t('inbox.rich.sectionTitleOptional')}
                        placeholder={t('inbox.rich.sectionTitlePlaceholder')}
                        value={s.title}
                        max={LIMITS.sectionTitle}
                        onChange={(v) => editList((d) => ({ ...d, sections: d.sections.map((x, j) => (j === i ? { ...x, title: v } : x)) }))}
                        error={err(`sections.${i}.title`)}
                      />
                      {list.sections.length > 1 && (
                        <button
                          type="button"
                          className="icon-button rich-remove rich-remove-section"
                          aria-label={t('inbox.rich.removeSection', { n: i + 1 })}
                          title={t('inbox.rich.removeSection', { n: i + 1 })}
                          onClick={() => editList((d) => ({ ...d, sections: d.sections.filter((_, j) => j !== i) }))}
                        >
                          <Icon name="trash" size={16} />
                        </button>
                      )}
                    </div>
                    {s.rows.map((r, j) => {
                      rowNumber += 1;
                      const n = rowNumber;
                      const setRow = (patch: Partial<typeof r>) =>
                        editList((d) => ({
                          ...d,
                          sections: d.sections.map((x, k) => (k === i ? { ...x, rows: x.rows.map((y, l) => (l === j ? { ...y, ...patch } : y)) } : x)),
                        }));
                      return (
                        <div key={j} className="rich-item rich-row">
                          <span className="rich-row-n" aria-hidden="true">
                            {n}
                          </span>
                          <div className="rich-row-fields">
                            <LimitedField
                              label={t('inbox.rich.rowTitle', { n })}
                              hideLabel
                              placeholder={t('inbox.rich.rowTitlePlaceholder')}
                              value={r.title}
                              max={LIMITS.rowTitle}
                              quiet
                              onChange={(v) => setRow({ title: v })}
                              error={err(`sections.${i}.rows.${j}.title`)}
                            />
                            <LimitedField
                              label={t('inbox.rich.rowDescription', { n })}
                              hideLabel
                              placeholder={t('inbox.rich.rowDescriptionPlaceholder')}
                              value={r.description}
                              max={LIMITS.rowDescription}
                              quiet
                              onChange={(v) => setRow({ description: v })}
                              error={err(`sections.${i}.rows.${j}.description`)}
                            />
                          </div>
                          <button
                            type="button"
                            className="icon-button rich-remove"
                            aria-label={t('inbox.rich.removeRow', { n })}
                            title={t('inbox.rich.removeRow', { n })}
                            disabled={s.rows.length <= 1}
                            onClick={() => editList((d) => ({ ...d, sections: d.sections.map((x, k) => (k === i ? { ...x, rows: x.rows.filter((_, l) => l !== j) } : x)) }))}
                          >
                            <Icon name="trash" size={16} />
                          </button>
                        </div>
                      );
                    })}
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm rich-add"
                      disabled={rows >= LIMITS.rows}
                      onClick={() => editList((d) => ({ ...d, sections: d.sections.map((x, k) => (k === i ? { ...x, rows: [...x.rows, emptyRow()] } : x)) }))}
                    >
                      <Icon name="plus" size={14} />
                      {list.sections.length > 1 ? t('inbox.rich.addRowTo', { n: i + 1 }) : t('inbox.rich.addRow')}
                    </button>
                  </fieldset>
                ))}
                <button
                  type="button"
                  className="btn btn-secondary btn-sm rich-add-section"
                  disabled={rows >= LIMITS.rows || list.sections.length >= LIMITS.sections}
                  onClick={() => editList((d) => ({ ...d, sections: [...d.sections, { title: '', rows: [emptyRow()] }] }))}
                >
                  <Icon name="plus" size={14} />
                  {t('inbox.rich.addSection')}
                </button>
                {rows >= LIMITS.rows && <p className="field-hint">{t('inbox.rich.rowsFull', { max: LIMITS.rows })}</p>}
              </>
            )}
            {kind === 'location' && (
              <>
                <div className="form-row">
                  <LimitedField
                    label={t('inbox.rich.latitude')}
                    placeholder="40.4168"
                    value={place.latitude}
                    onChange={(v) => editPlace({ latitude: v })}
                    onPaste={pastePair}
                    error={err('latitude')}
                  />
                  <LimitedField
                    label={t('inbox.rich.longitude')}
                    placeholder="-3.7038"
                    value={place.longitude}
                    onChange={(v) => editPlace({ longitude: v })}
                    onPaste={pastePair}
                    error={err('longitude')}
                  />
                </div>
                <p className="field-hint rich-coordinates-hint">{t('inbox.rich.coordinatesHint')}</p>
                <LimitedField label={t('inbox.rich.placeName')} value={place.name} max={LIMITS.placeName} countFrom={LIMITS.placeName - 100} onChange={(v) => editPlace({ name: v })} error={err('name')} />
                <LimitedField label={t('inbox.rich.placeAddress')} value={place.address} max={LIMITS.placeAddress} countFrom={LIMITS.placeAddress - 100} onChange={(v) => editPlace({ address: v })} error={err('address')} />
              </>
            )}
          </div>
          <div className="rich-preview">
            <span className="field-label">{t('inbox.rich.preview')}</span>
            <div className="rich-preview-chat">
              {kind === 'buttons' ? <ButtonsPreview d={buttons} /> : kind === 'list' ? <ListPreview d={list} /> : <LocationPreview d={place} />}
            </div>
          </div>
        </div>
      </div>
    </Modal>
  );
}
