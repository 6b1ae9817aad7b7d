import { useI18n, type Language } from '../i18n';

/** English or German, on the sign-in page and in the shell. */
export function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language">
      <span className="visually-hidden">{t('language')}</span>
      <select value={language} onChange={(event) => setLanguage(event.target.value as Language)} aria-label={t('language')}>
        <option value="en">English</option>
        <option value="de">Deutsch</option>
      </select>
    </label>
  );
}
