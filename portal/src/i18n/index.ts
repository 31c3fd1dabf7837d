// i18next setup. The language is the browser's by default; the picker in the app stores an
// explicit choice in localStorage (key `chorus.lang`), which wins from then on.
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en';
import es from './es';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_STORAGE_KEY = 'chorus.lang';

export const resources = {
  en: { translation: en },
  es: { translation: es },
};

if (!i18n.isInitialized) {
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      supportedLngs: [...LANGUAGES],
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
      returnNull: false,
      nsSeparator: false, // permission keys such as 'tags:manage' contain colons
      detection: {
        order: ['localStorage', 'navigator'],
        lookupLocalStorage: LANGUAGE_STORAGE_KEY,
        caches: [],
      },
      react: { useSuspense: false },
    });
  const syncHtmlLang = (lng: string) => {
    if (typeof document !== 'undefined') document.documentElement.lang = lng.split('-')[0];
  };
  syncHtmlLang(i18n.resolvedLanguage || i18n.language || 'en');
  i18n.on('languageChanged', syncHtmlLang);
}

/** Changes the language and remembers the explicit choice. */
export function chooseLanguage(lng: Language) {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lng);
  } catch {
    // storage may be unavailable (private mode); the choice still applies to this tab
  }
  return i18n.changeLanguage(lng);
}

export function currentLanguage(): Language {
  const lng = (i18n.resolvedLanguage || i18n.language || 'en').split('-')[0];
  return (LANGUAGES as readonly string[]).includes(lng) ? (lng as Language) : 'en';
}

export default i18n;
