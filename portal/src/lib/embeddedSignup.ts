// Meta's Embedded Signup ("Connect with Facebook"): the business logs in to Facebook in a popup,
// picks or creates its WhatsApp Business Account and number, and the popup tells us which ones
// through window messages; FB.login answers a short-lived code that the server exchanges for the
// business's token. Meta's JavaScript SDK is loaded from connect.facebook.net only when the
// server says Embedded Signup is configured.

export interface FacebookLoginResponse {
  authResponse?: { code?: string | null } | null;
  status?: string;
}

export interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents?: boolean; xfbml?: boolean; version: string }): void;
  login(callback: (response: FacebookLoginResponse) => void, options: Record<string, unknown>): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

export const FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';

let loading: Promise<FacebookSdk> | null = null;

/** Loads and initialises Meta's SDK once per page. */
export function loadFacebookSdk(appId: string, graphVersion: string): Promise<FacebookSdk> {
  if (loading) return loading;
  const version = graphVersion.startsWith('v') ? graphVersion : `v${graphVersion}`;
  loading = new Promise<FacebookSdk>((resolve, reject) => {
    const ready = () => {
      const fb = window.FB;
      if (!fb) {
        reject(new Error('Facebook SDK missing'));
        return;
      }
      fb.init({ appId, autoLogAppEvents: true, xfbml: false, version });
      resolve(fb);
    };
    if (window.FB) {
      ready();
      return;
    }
    window.fbAsyncInit = ready;
    const script = document.createElement('script');
    script.src = FACEBOOK_SDK_URL;
    script.async = true;
    script.defer = true;
    script.crossOrigin = 'anonymous';
    script.onerror = () => {
      loading = null;
      script.remove();
      reject(new Error('Facebook SDK could not be loaded'));
    };
    document.body.appendChild(script);
  });
  return loading;
}

/** The options Meta documents for Embedded Signup with a configuration id. */
export function loginOptions(configId: string): Record<string, unknown> {
  return {
    config_id: configId,
    response_type: 'code',
    override_default_response_type: true,
    extras: { setup: {}, featureType: '', sessionInfoVersion: '3' },
  };
}

export type SignupEvent =
  | { type: 'finish'; wabaId: string; phoneNumberId: string }
  | { type: 'no_number'; wabaId: string | null }
  | { type: 'cancel'; step: string | null }
  | { type: 'error'; message: string | null };

const FACEBOOK_ORIGIN = /^https:\/\/([a-z0-9-]+\.)*facebook\.com$/;

/** What a window message from the signup popup says, or null when it is not one of them. */
export function parseSignupMessage(event: { origin: string; data: unknown }): SignupEvent | null {
  if (!FACEBOOK_ORIGIN.test(event.origin)) return null;
  let data: unknown = event.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (!data || typeof data !== 'object') return null;
  const d = data as { type?: unknown; event?: unknown; data?: Record<string, unknown> };
  if (d.type !== 'WA_EMBEDDED_SIGNUP') return null;
  const info = d.data && typeof d.data === 'object' ? d.data : {};
  const text = (v: unknown) => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
  const kind = typeof d.event === 'string' ? d.event : '';
  if (kind === 'CANCEL') return { type: 'cancel', step: text(info.current_step) };
  if (kind === 'ERROR') return { type: 'error', message: text(info.error_message) };
  if (kind.startsWith('FINISH')) {
    const wabaId = text(info.waba_id);
    const phoneNumberId = text(info.phone_number_id);
    if (wabaId && phoneNumberId) return { type: 'finish', wabaId, phoneNumberId };
    return { type: 'no_number', wabaId };
  }
  return null;
}
