import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { de } from './messages.de';
import { en, type MessageKey } from './messages.en';

export type Language = 'en' | 'de';
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, de };
const STORAGE_KEY = 'ledger.language';

export function browserLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'de') return stored;
  for (const language of navigator.languages ?? [navigator.language]) {
    const primary = language.toLowerCase().split('-')[0];
    if (primary === 'de' || primary === 'en') return primary;
  }
  return 'en';
}

export interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  timeZone: string;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  dateTime(instant: string | Date): string;
  time(instant: string | Date): string;
  date(instant: string | Date): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ timeZone, children }: { timeZone: string; children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(browserLanguage);
  const value = useMemo<I18n>(() => {
    const locale = language === 'de' ? 'de-DE' : 'en-GB';
    const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    const time = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' });
    const date = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    const messages = dictionaries[language];
    return {
      language,
      timeZone,
      setLanguage(next) {
        localStorage.setItem(STORAGE_KEY, next);
        document.documentElement.lang = next;
        setLanguageState(next);
      },
      t: (key, values = {}) => (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)),
      dateTime: (instant) => dateTime.format(new Date(instant)),
      time: (instant) => time.format(new Date(instant)),
      date: (instant) => date.format(new Date(instant)),
    };
  }, [language, timeZone]);
  document.documentElement.lang = language;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error('useI18n outside I18nProvider');
  return context;
}
