// Files in messages: what WhatsApp accepts (mirrors tenants/src/media.rs, the server decides),
// sizes in words, signed URLs that expire, and upload errors in the UI language.
import type { TFunction } from 'i18next';
import { isApiError } from '../api/client';
import type { MediaKind } from '../api/types';

const MB = 1024 * 1024;

export const MEDIA_LIMITS: Record<MediaKind, number> = {
  image: 5 * MB,
  video: 16 * MB,
  audio: 16 * MB,
  sticker: 500 * 1024,
  document: 100 * MB,
};

const DOCUMENT_TYPES = [
  'application/pdf',
  'text/plain',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

/** What the file picker offers (the types WhatsApp can carry). */
export const ACCEPTED_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'video/mp4',
  'video/3gpp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  ...DOCUMENT_TYPES,
].join(',');

/** The WhatsApp kind a file of this type is sent as, or null when WhatsApp cannot send it. */
export function mediaKindOf(mime: string | null | undefined): MediaKind | null {
  const essence = (mime ?? '').split(';')[0].trim().toLowerCase();
  if (essence === 'image/jpeg' || essence === 'image/png') return 'image';
  if (essence === 'image/webp') return 'sticker';
  if (essence === 'video/mp4' || essence === 'video/3gpp') return 'video';
  if (['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(essence)) return 'audio';
  if (DOCUMENT_TYPES.includes(essence)) return 'document';
  return null;
}

/** Audio and stickers go without a caption (WhatsApp has nowhere to show it). */
export function takesCaption(kind: MediaKind | null): boolean {
  return kind !== 'audio' && kind !== 'sticker';
}

export type FileProblem = { problem: 'type' } | { problem: 'size'; kind: MediaKind; limit: number } | { problem: 'empty' };

/** A quick check before uploading, so nobody waits for a 100 MB upload WhatsApp would refuse. */
export function checkFile(file: Pick<File, 'type' | 'size'>): FileProblem | null {
  const kind = mediaKindOf(file.type);
  if (!kind) return { problem: 'type' };
  if (file.size === 0) return { problem: 'empty' };
  if (file.size > MEDIA_LIMITS[kind]) return { problem: 'size', kind, limit: MEDIA_LIMITS[kind] };
  return null;
}

/** "512 B", "12 KB", "3.4 MB". */
export function formatBytes(bytes: number | null | undefined, locale = 'en'): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '';
  const fmt = (n: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
  if (bytes < 1024) return `${fmt(bytes, 0)} B`;
  if (bytes < MB) return `${fmt(bytes / 1024, 0)} KB`;
  return `${fmt(bytes / MB, bytes < 10 * MB ? 1 : 0)} MB`;
}

/** A short label for a file type: "PDF", "DOCX", "MP4"… from the file name, else the type. */
export function fileTypeLabel(filename: string | null | undefined, mime: string | null | undefined): string {
  const ext = filename && /\.([a-z0-9]{1,5})$/i.exec(filename);
  if (ext) return ext[1].toUpperCase();
  const sub = (mime ?? '').split(';')[0].split('/')[1];
  return sub ? sub.toUpperCase().slice(0, 8) : '';
}

/** Whether a signed media URL (`…&e=<unix seconds>` or `expires=`) has run out. */
export function urlExpired(url: string | null | undefined, now = Date.now()): boolean {
  if (!url) return true;
  const query = url.split('?')[1];
  if (!query) return false;
  const params = new URLSearchParams(query);
  const raw = params.get('e') ?? params.get('expires');
  if (!raw || !/^\d+$/.test(raw)) return false;
  const value = Number(raw);
  const ms = value > 1e12 ? value : value * 1000;
  return ms - 30_000 <= now; // a little early, so a link is not opened as it expires
}

function kindName(t: TFunction, kind: MediaKind): string {
  return t(`media.kindPlural.${kind}`);
}

/** The sentence for a refused or failed upload, in the UI language. */
export function uploadErrorMessage(t: TFunction, e: unknown, file?: Pick<File, 'type' | 'size'>): string {
  const kind = file ? mediaKindOf(file.type) : null;
  if (isApiError(e)) {
    if (e.code === 'media_too_large' || e.code === 'payload_too_large' || e.status === 413) {
      return kind
        ? t('media.tooLarge', { kind: kindName(t, kind), limit: formatBytes(MEDIA_LIMITS[kind]) })
        : t('media.tooLargeGeneric');
    }
    if (e.code === 'media_type_unsupported' || e.code === 'unsupported_media_type' || e.status === 415) {
      return t('media.unsupported');
    }
    if (e.code === 'network_error') return t('errors.codes.network_error');
    if (e.code === 'forbidden') return t('errors.codes.forbidden');
    return e.message || t('media.uploadFailed');
  }
  return t('media.uploadFailed');
}

/** The message for a file refused before uploading. */
export function fileProblemMessage(t: TFunction, p: FileProblem): string {
  if (p.problem === 'type') return t('media.unsupported');
  if (p.problem === 'empty') return t('media.empty');
  return t('media.tooLarge', { kind: kindName(t, p.kind), limit: formatBytes(p.limit) });
}
