import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, LANGUAGES, type Language } from '../i18n';
import { Icon } from './Icon';

export function LanguagePicker({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <label className={`language-picker${compact ? ' language-picker-compact' : ''}`}>
      <Icon name="globe" size={16} />
      <span className="sr-only">{t('language.label')}</span>
      <select
        aria-label={t('language.label')}
        data-testid="language-picker"
        value={currentLanguage()}
        onChange={(e) => void chooseLanguage(e.target.value as Language)}
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng}>
            {t(`language.${lng}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
