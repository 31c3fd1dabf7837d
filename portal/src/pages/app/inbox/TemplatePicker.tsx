// Choose an approved template of the conversation's number, fill in its variables (one input
// each, with a live preview of what the customer will read) and send it. Templates are the only
// messages WhatsApp allows once the 24-hour window has closed.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { isApiError, media as mediaApi, templates as templatesApi, type SendBody, type Template, type UploadedMedia } from '../../../api';
import { Alert } from '../../../components/Alert';
import { Badge } from '../../../components/Badge';
import { EmptyState } from '../../../components/EmptyState';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageLoading } from '../../../components/Spinner';
import { describeError } from '../../../lib/errors';
import { checkFile, fileProblemMessage, mediaKindOf, uploadErrorMessage } from '../../../lib/media';
import {
  bodyPreview,
  buttonsOf,
  component,
  emptyValues,
  headerNeedsFile,
  renderSegments,
  templateSendBody,
  valuesProblems,
  variablesOf,
  type Segment,
  type TemplateValues,
  type ValueProblem,
} from '../../../lib/templates';
import { useLoader } from '../../../lib/useLoader';
import type { Uploader } from './Composer';

/** A template's text with its variables marked: filled ones in bold, missing ones highlighted. */
export function Segments({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.variable ? (
          <span key={i} className={s.filled ? 'tpl-var tpl-var-filled' : 'tpl-var tpl-var-empty'}>
            {s.text}
          </span>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** What the customer will read: header, body, footer and buttons, as a WhatsApp bubble. */
export function TemplatePreview({ template, values, headerFile }: { template: Template; values: TemplateValues; headerFile?: string | null }) {
  const { t } = useTranslation();
  const header = component(template, 'HEADER');
  const format = header ? (header.format ?? 'TEXT').toUpperCase() : null;
  const body = component(template, 'BODY')?.text ?? '';
  const footer = component(template, 'FOOTER')?.text;
  const buttons = buttonsOf(template);
  return (
    <div className="tpl-preview" data-testid="template-preview">
      <div className="tpl-preview-bubble">
        {format === 'TEXT' && header?.text && (
          <div className="tpl-preview-header">
            <Segments segments={renderSegments(header.text, values.header)} />
          </div>
        )}
        {format && format !== 'TEXT' && (
          <div className="tpl-preview-media">
            <Icon name={format === 'IMAGE' ? 'image' : format === 'VIDEO' ? 'video' : format === 'LOCATION' ? 'mapPin' : 'file'} size={22} />
            <span>{headerFile ?? t(`templates.headerFormat.${format}`, { defaultValue: format })}</span>
          </div>
        )}
        <div className="tpl-preview-body rich-text" data-testid="template-preview-body">
          <Segments segments={renderSegments(body, values.body)} />
        </div>
        {footer && <div className="tpl-preview-footer">{footer}</div>}
      </div>
      {buttons.length > 0 && (
        <div className="tpl-preview-buttons">
          {buttons.map((b, i) => (
            <span key={i} className="tpl-preview-button">
              {(b.type ?? '').toUpperCase() === 'URL' && <Icon name="external" size={13} />}
              {(b.type ?? '').toUpperCase() === 'PHONE_NUMBER' && <Icon name="phone" size={13} />}
              {(b.type ?? '').toUpperCase() === 'COPY_CODE' && <Icon name="copy" size={13} />}
              {b.text}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

function problemText(t: (k: string) => string, p: ValueProblem | undefined): string | undefined {
  return p ? t(`templates.valueProblem.${p}`) : undefined;
}

export function TemplatePicker({
  numberId,
  onClose,
  onSend,
  upload = (file, opts) => mediaApi.upload(file, opts),
}: {
  numberId: string;
  onClose: () => void;
  onSend: (body: SendBody) => Promise<void>;
  upload?: Uploader;
}) {
  const { t } = useTranslation();
  const list = useLoader(() => templatesApi.list({ number_id: numberId, status: 'APPROVED' }), [numberId]);
  const [search, setSearch] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [values, setValues] = useState<TemplateValues>(emptyValues);
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [headerMedia, setHeaderMedia] = useState<{ name: string; status: 'uploading' | 'ready' | 'failed'; media?: UploadedMedia; error?: string } | null>(null);

  const items = useMemo(() => {
    const all = (list.data ?? []).filter((x) => x.status.toUpperCase() === 'APPROVED');
    const q = search.trim().toLowerCase();
    const found = q ? all.filter((x) => x.name.toLowerCase().includes(q) || bodyPreview(x).toLowerCase().includes(q)) : all;
    return [...found].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  }, [list.data, search]);
  const selected = items.find((x) => x.id === selectedId) ?? (list.data ?? []).find((x) => x.id === selectedId) ?? null;
  const vars = selected ? variablesOf(selected) : null;
  const needsFile = vars ? headerNeedsFile(vars) : null;
  const unsupportedHeader = vars?.header_format?.toUpperCase() === 'LOCATION';
  const problems = vars ? valuesProblems(vars, values) : {};
  const fileMissing = Boolean(needsFile) && headerMedia?.status !== 'ready';

  function choose(template: Template) {
    setSelectedId(template.id);
    setValues(emptyValues());
    setTried(false);
    setError(null);
    setHeaderMedia(null);
  }

  function setValue(place: keyof TemplateValues, name: string, value: string) {
    setValues((v) => ({ ...v, [place]: { ...v[place], [name]: value } }));
  }

  function attachHeader(file: File) {
    const problem = checkFile(file);
    const kind = mediaKindOf(file.type);
    const wanted = needsFile === 'IMAGE' ? 'image' : needsFile === 'VIDEO' ? 'video' : 'document';
    if (problem) {
      setHeaderMedia({ name: file.name, status: 'failed', error: fileProblemMessage(t, problem) });
      return;
    }
    if (kind !== wanted) {
      setHeaderMedia({ name: file.name, status: 'failed', error: t('templates.headerFileKind', { kind: t(`templates.headerFormat.${needsFile}`) }) });
      return;
    }
    setHeaderMedia({ name: file.name, status: 'uploading' });
    upload(file, {}).then(
      (media) => setHeaderMedia({ name: file.name, status: 'ready', media }),
      (e) => setHeaderMedia({ name: file.name, status: 'failed', error: uploadErrorMessage(t, e, file) }),
    );
  }

  async function send() {
    if (!selected || !vars) return;
    setTried(true);
    setError(null);
    if (Object.keys(problems).length > 0 || fileMissing || unsupportedHeader) return;
    setBusy(true);
    try {
      await onSend(templateSendBody(selected, values, headerMedia?.media?.id));
      onClose();
    } catch (e) {
      if (isApiError(e) && e.code === 'template_parameters') setError(t('templates.parametersRefused', { detail: e.message }));
      else setError(describeError(t, e));
      setBusy(false);
    }
  }

  const field = (place: 'header' | 'body' | 'buttons', label: string, key: string) => {
    const problem = tried ? problemText(t, problems[`${place}.${key}`]) : undefined;
    const id = `tpl-${place}-${key}`;
    return (
      <div className={`field${problem ? ' field-invalid' : ''}`} key={id}>
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        <input
          id={id}
          className="input"
          value={values[place][key] ?? ''}
          onChange={(e) => setValue(place, key, e.target.value)}
          aria-invalid={problem ? true : undefined}
          maxLength={1024}
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </div>
    );
  };

  return (
    <Modal
      title={t('templates.pickerTitle')}
      subtitle={t('templates.pickerSubtitle')}
      onClose={onClose}
      size="lg"
      busy={busy}
      onSubmit={() => void send()}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={!selected || busy || headerMedia?.status === 'uploading'}>
            <Icon name="send" size={15} />
            {busy ? t('templates.sending') : t('templates.send')}
          </button>
        </>
      }
    >
      {list.loading && !list.data ? (
        <PageLoading label={t('common.loading')} />
      ) : list.error && !list.data ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : (list.data ?? []).filter((x) => x.status.toUpperCase() === 'APPROVED').length === 0 ? (
        <EmptyState
          icon="template"
          title={t('templates.noneApprovedTitle')}
          action={
            <Link className="btn btn-secondary btn-sm" to="/settings/templates" onClick={onClose}>
              {t('templates.manage')}
            </Link>
          }
        >
          {t('templates.noneApprovedBody')}
        </EmptyState>
      ) : (
        <div className="tpl-picker" data-testid="template-picker">
          <div className="tpl-picker-list">
            <input
              className="input input-sm"
              type="search"
              placeholder={t('templates.search')}
              aria-label={t('templates.search')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <div className="tpl-picker-items" role="listbox" aria-label={t('templates.pickerList')}>
              {items.map((x) => (
                <button
                  key={x.id}
                  type="button"
                  role="option"
                  aria-selected={x.id === selectedId}
                  className={`tpl-picker-item${x.id === selectedId ? ' tpl-picker-item-active' : ''}`}
                  onClick={() => choose(x)}
                >
                  <span className="tpl-picker-item-top">
                    <span className="tpl-picker-item-name">{x.name}</span>
                    <span className="tpl-lang">{x.language}</span>
                  </span>
                  <span className="tpl-picker-item-body">{bodyPreview(x)}</span>
                </button>
              ))}
              {items.length === 0 && <p className="muted small tpl-picker-none">{t('templates.noMatch')}</p>}
            </div>
          </div>
          <div className="tpl-picker-detail">
            {!selected || !vars ? (
              <div className="tpl-picker-hint muted">{t('templates.pickOne')}</div>
            ) : (
              <>
                <div className="tpl-picker-head">
                  <span className="strong">{selected.name}</span>
                  <span className="tpl-lang">{selected.language}</span>
                  {selected.category && <Badge tone="neutral">{t(`templates.category.${selected.category}`, { defaultValue: selected.category })}</Badge>}
                </div>
                {error && <Alert>{error}</Alert>}
                <div className="tpl-picker-columns">
                  <div className="form tpl-picker-fields">
                    {unsupportedHeader && <Alert tone="info">{t('templates.locationHeader')}</Alert>}
                    {needsFile && (
                      <div className={`field${tried && fileMissing ? ' field-invalid' : ''}`}>
                        <span className="field-label">{t('templates.headerFile', { kind: t(`templates.headerFormat.${needsFile}`) })}</span>
                        <label className="btn btn-secondary btn-sm tpl-file">
                          <Icon name="paperclip" size={15} />
                          {headerMedia?.name ?? t('templates.chooseFile')}
                          <input
                            type="file"
                            className="sr-only"
                            accept={needsFile === 'IMAGE' ? 'image/jpeg,image/png' : needsFile === 'VIDEO' ? 'video/mp4,video/3gpp' : undefined}
                            onChange={(e) => {
                              const file = e.target.files?.[0];
                              e.target.value = '';
                              if (file) attachHeader(file);
                            }}
                          />
                        </label>
                        {headerMedia?.status === 'uploading' && <p className="field-hint">{t('templates.uploading')}</p>}
                        {headerMedia?.status === 'failed' && (
                          <p className="field-error" role="alert">
                            {headerMedia.error}
                          </p>
                        )}
                        {tried && fileMissing && !headerMedia && (
                          <p className="field-error" role="alert">
                            {t('templates.valueProblem.required')}
                          </p>
                        )}
                      </div>
                    )}
                    {!needsFile && vars.header.map((v) => field('header', t('templates.headerVariable', { name: `{{${v}}}` }), v))}
                    {vars.body.map((v) => field('body', t('templates.bodyVariable', { name: `{{${v}}}` }), v))}
                    {vars.buttons.map((b) =>
                      field(
                        'buttons',
                        b.type.toUpperCase() === 'COPY_CODE'
                          ? t('templates.buttonCode', { button: buttonsOf(selected)[b.index]?.text ?? b.index + 1 })
                          : t('templates.buttonVariable', { button: buttonsOf(selected)[b.index]?.text ?? b.index + 1 }),
                        String(b.index),
                      ),
                    )}
                    {vars.header.length + vars.body.length + vars.buttons.length === 0 && !needsFile && (
                      <p className="muted small">{t('templates.noVariables')}</p>
                    )}
                  </div>
                  <div className="tpl-picker-preview">
                    <span className="field-label">{t('templates.preview')}</span>
                    <TemplatePreview template={selected} values={values} headerFile={headerMedia?.name} />
                  </div>
                </div>
              </>
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}
