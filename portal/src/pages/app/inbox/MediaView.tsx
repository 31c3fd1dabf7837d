// A message's file: a picture (opens full size), a sticker, a video or audio player, or a
// document to download, with "Downloading…" while the worker fetches it from WhatsApp and a
// clear failure when it could not. Signed URLs expire: a URL that still works is kept across
// refreshes (so nothing reloads), and one that fails is fetched again once.
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { media as mediaApi, type MediaRef, type Message } from '../../../api';
import { Icon, type IconName } from '../../../components/Icon';
import { RichText } from '../../../components/RichText';
import { Spinner } from '../../../components/Spinner';
import { currentLanguage } from '../../../i18n';
import { fileTypeLabel, formatBytes, urlExpired } from '../../../lib/media';
import { content, kindLabel, str } from '../../../lib/messages';

const MEDIA_ICONS: Record<string, IconName> = {
  image: 'image',
  video: 'video',
  audio: 'music',
  document: 'file',
  sticker: 'smile',
};

/** The URL to use for a file: stable while valid, refetched once when it fails or expired. */
export function useMediaUrl(media: MediaRef | null | undefined) {
  const kept = useRef<{ id: string | null; url: string | null }>({ id: null, url: null });
  const [fresh, setFresh] = useState<{ id: string | null; url: string } | null>(null);
  const [broken, setBroken] = useState(false);
  const tried = useRef(false);
  const id = media?.id ?? null;

  let url = media?.status === 'ready' ? (media.url ?? null) : null;
  if (kept.current.id === id && kept.current.url && !urlExpired(kept.current.url)) url = kept.current.url;
  else kept.current = { id, url };
  if (fresh && fresh.id === id) url = fresh.url;

  useEffect(() => {
    tried.current = false;
    setBroken(false);
  }, [id]);

  const refetch = useCallback(async (): Promise<string | null> => {
    if (!id) return null;
    try {
      const info = await mediaApi.get(id);
      if (info.url) {
        setFresh({ id, url: info.url });
        kept.current = { id, url: info.url };
        return info.url;
      }
    } catch {
      // shown as broken below
    }
    return null;
  }, [id]);

  const onError = useCallback(() => {
    if (tried.current) {
      setBroken(true);
      return;
    }
    tried.current = true;
    void refetch().then((u) => {
      if (!u) setBroken(true);
    });
  }, [refetch]);

  return { url, broken, onError, refetch };
}

function ImageViewer({ src, alt, onClose }: { src: string; alt: string; onClose: () => void }) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return createPortal(
    <div
      className="viewer-backdrop"
      role="dialog"
      aria-modal="true"
      aria-label={alt}
      data-testid="image-viewer"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="viewer-bar">
        <a className="viewer-button" href={src} target="_blank" rel="noopener noreferrer">
          <Icon name="external" size={16} />
          {t('media.openOriginal')}
        </a>
        <button type="button" className="viewer-button" onClick={onClose} ref={closeRef} aria-label={t('common.close')}>
          <Icon name="x" size={18} />
        </button>
      </div>
      <img className="viewer-image" src={src} alt={alt} />
    </div>,
    document.body,
  );
}

function Placeholder({ message, note, tone }: { message: Message; note: string; tone?: 'pending' | 'failed' }) {
  const { t } = useTranslation();
  const c = content(message);
  const voice = message.kind === 'audio' && c.voice === true;
  const filename = message.media?.filename ?? str(c.filename);
  return (
    <div
      className={`media-placeholder media-kind-${message.kind}${tone ? ` media-${tone}` : ''}`}
      data-testid={tone ? `media-${tone}` : 'media-placeholder'}
    >
      <span className="media-icon">
        {tone === 'pending' ? <Spinner size="sm" /> : <Icon name={tone === 'failed' ? 'alert' : voice ? 'mic' : (MEDIA_ICONS[message.kind] ?? 'file')} size={20} />}
      </span>
      <span className="media-text">
        <span className="media-label">{kindLabel(t, message.kind, c)}</span>
        {filename && <span className="media-filename">{filename}</span>}
        <span className="media-note">{note}</span>
      </span>
    </div>
  );
}

function DocumentLink({ message, url, refetch }: { message: Message; url: string; refetch: () => Promise<string | null> }) {
  const { t } = useTranslation();
  const m = message.media!;
  const c = content(message);
  const filename = m.filename ?? str(c.filename) ?? t('messages.kinds.document');
  const details = [fileTypeLabel(m.filename ?? str(c.filename), m.mime_type), formatBytes(m.size_bytes, currentLanguage())].filter(Boolean).join(' · ');
  async function onClick(e: MouseEvent<HTMLAnchorElement>) {
    if (!urlExpired(url)) return;
    e.preventDefault();
    const fresh = await refetch();
    if (fresh) {
      const a = document.createElement('a');
      a.href = fresh;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
  }
  return (
    <a className="media-document" href={url} download={filename} onClick={onClick} data-testid="media-document" title={t('media.download', { name: filename })}>
      <span className="media-document-icon">
        <Icon name="file" size={22} />
      </span>
      <span className="media-text">
        <span className="media-filename">{filename}</span>
        {details && <span className="media-note">{details}</span>}
      </span>
      <span className="media-document-download" aria-hidden="true">
        <Icon name="download" size={18} />
      </span>
    </a>
  );
}

/** The file of an image, video, audio, document or sticker message, and its caption. */
export function MediaView({ message }: { message: Message }) {
  const { t } = useTranslation();
  const c = content(message);
  const m = message.media;
  const { url, broken, onError, refetch } = useMediaUrl(m);
  const [viewing, setViewing] = useState(false);
  const voice = message.kind === 'audio' && c.voice === true;
  const label = kindLabel(t, message.kind, c);
  const filename = m?.filename ?? str(c.filename);
  const sent = c.outbound && typeof c.outbound === 'object' ? (c.outbound as Record<string, unknown>) : {};
  // Chorus keeps the file name as the body of a file sent without a caption.
  const body = str(message.body);
  const caption = str(c.caption) ?? str(sent.caption) ?? (body && body !== filename && body !== str(c.filename) ? body : null);
  const captionView = caption && message.kind !== 'sticker' ? <RichText text={caption} className="rich-text media-caption" /> : null;

  let view;
  if (!m) {
    view = <Placeholder message={message} note={t('media.unavailable')} />;
  } else if (m.status === 'pending') {
    view = <Placeholder message={message} note={t('media.downloading')} tone="pending" />;
  } else if (m.status === 'failed' || !url || broken) {
    const reason = broken ? t('media.expired') : m.error || t('media.failedGeneric');
    view = <Placeholder message={message} note={`${t('media.failed')} ${reason}`} tone="failed" />;
  } else {
    switch (message.kind) {
      case 'image':
        view = (
          <>
            <button type="button" className="media-image" onClick={() => setViewing(true)} aria-label={t('media.viewFull', { kind: label })} data-testid="media-image">
              <img src={url} alt={caption ?? label} loading="lazy" onError={onError} />
            </button>
            {viewing && <ImageViewer src={url} alt={caption ?? label} onClose={() => setViewing(false)} />}
          </>
        );
        break;
      case 'sticker':
        view = <img className="media-sticker" src={url} alt={label} loading="lazy" onError={onError} data-testid="media-sticker" />;
        break;
      case 'video':
        view = (
          <video className="media-video" src={url} controls preload="metadata" onError={onError} data-testid="media-video">
            <a href={url}>{t('media.downloadVideo')}</a>
          </video>
        );
        break;
      case 'audio':
        view = (
          <div className={`media-audio${voice ? ' media-voice' : ''}`}>
            <span className="media-audio-icon" aria-hidden="true">
              <Icon name={voice ? 'mic' : 'music'} size={18} />
            </span>
            <audio src={url} controls preload="metadata" onError={onError} aria-label={label} data-testid="media-audio" />
          </div>
        );
        break;
      default:
        view = <DocumentLink message={message} url={url} refetch={refetch} />;
    }
  }
  return (
    <>
      {view}
      {captionView}
    </>
  );
}
