import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n';
import { useSignIn } from '../session';

export function SignInPage() {
  const { t } = useI18n();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await signIn(email, password);
    } catch (error) {
      setPassword('');
      if (error instanceof ApiError && error.code === 'SIGN_IN_LOCKED') {
        const seconds = (error.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
        setProblem(t('signInLocked', { seconds: seconds ?? '…' }));
      } else if (error instanceof ApiError && (error.status === 401 || error.status === 400)) setProblem(t('wrongPassword'));
      else setProblem(t('loadFailed', { message: error instanceof Error ? error.message : String(error) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} className="card sign-in-card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('appName')}</h1>
        <label>
          {t('email')}
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          {t('password')}
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
