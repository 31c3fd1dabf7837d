// A stand-in for XMLHttpRequest (uploads use it for progress): answers from a handler that
// sees the URL, headers and FormData, and reports upload progress before answering.
import { vi } from 'vitest';

export interface FakeUpload {
  url: string;
  headers: Record<string, string>;
  body: FormData;
}

export function stubXhr(answer: (req: FakeUpload) => { status: number; body: unknown }) {
  const requests: FakeUpload[] = [];
  class FakeXhr {
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    withCredentials = false;
    status = 0;
    responseText = '';
    private url = '';
    private headers: Record<string, string> = {};
    open(_method: string, url: string) {
      this.url = url;
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k] = v;
    }
    getAllResponseHeaders() {
      return 'content-type: application/json\r\nx-request-id: req-up\r\n';
    }
    abort() {
      this.onabort?.();
    }
    send(body: FormData) {
      const req = { url: this.url, headers: this.headers, body };
      requests.push(req);
      const res = answer(req);
      setTimeout(() => {
        this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
        this.status = res.status;
        this.responseText = res.body === undefined ? '' : JSON.stringify(res.body);
        this.onload?.();
      }, 0);
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return requests;
}
