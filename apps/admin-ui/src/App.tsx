import { useConnectStatus } from './calcom-connect';
import { useStaff } from './data';
import { LanguageSwitch } from './components/LanguageSwitch';
import { I18nProvider, useI18n } from './i18n';
import { useLiveUpdates } from './live';
import { Link, usePath } from './router';
import { useSession, useSignOut, useUiConfig } from './session';
import type { MessageKey } from './messages.en';
import type { User } from './types';
import { AppointmentPage } from './pages/AppointmentPage';
import { CalendarPage } from './pages/CalendarPage';
import { CatalogPage } from './pages/CatalogPage';
import { ConflictsPage } from './pages/ConflictsPage';
import { ConnectPage } from './pages/ConnectPage';
import { DriftPage } from './pages/DriftPage';
import { ListPage } from './pages/ListPage';
import { SignInPage } from './pages/SignInPage';
import { SyncHealthPage } from './pages/SyncHealthPage';

export function App() {
  const config = useUiConfig();
  if (config.isPending) return <p className="page-message">…</p>;
  // Without the config the salon's time zone is unknown; UTC is shown and named rather than guessing.
  return (
    <I18nProvider timeZone={config.data?.businessTimeZone ?? 'UTC'}>
      <SignedInOrNot />
    </I18nProvider>
  );
}

function SignedInOrNot() {
  const session = useSession();
  const { t } = useI18n();
  if (session.isPending) return <p className="page-message">{t('loading')}</p>;
  if (session.isError)
    return (
      <p role="alert" className="page-message">
        {t('loadFailed', { message: session.error.message })}
      </p>
    );
  if (!session.data) return <SignInPage />;
  return <Shell user={session.data.user} />;
}

const NAVIGATION: { path: string; label: MessageKey }[] = [
  { path: '/', label: 'navCalendar' },
  { path: '/list', label: 'navList' },
  { path: '/conflicts', label: 'navConflicts' },
  { path: '/drift', label: 'navDrift' },
  { path: '/sync', label: 'navSync' },
  { path: '/catalog', label: 'navCatalog' },
  { path: '/connect', label: 'navConnect' },
];

function Shell({ user }: { user: User }) {
  const { t, timeZone } = useI18n();
  const path = usePath();
  const live = useLiveUpdates(true);
  const signOut = useSignOut();
  const canAct = user.role === 'admin';
  const section = '/' + (path.split('/')[1] ?? '');
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">{t('appName')}</span>
        <nav aria-label={t('navigation')}>
          <ul>
            {NAVIGATION.map((item) => (
              <li key={item.path}>
                <Link to={item.path} aria-current={section === item.path || (item.path === '/list' && section === '/appointments') ? 'page' : undefined}>
                  {t(item.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <span className={live ? 'live live-on' : 'live'} role="status" title={live ? t('live') : t('liveOff')}>
            {live ? t('live') : '…'}
          </span>
          <LanguageSwitch />
          <span className="who">{t('signedInAs', { name: user.name, role: t(user.role === 'admin' ? 'roleAdmin' : 'roleAuditor') })}</span>
          <button type="button" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main>
        {!canAct && <p className="read-only-note">{t('readOnly')}</p>}
        {canAct && section !== '/connect' && <ConnectPrompt />}
        <p className="tz-note">{t('timeZoneNote', { timeZone })}</p>
        <Route path={path} canAct={canAct} />
      </main>
    </div>
  );
}

function Route({ path, canAct }: { path: string; canAct: boolean }) {
  const appointment = /^\/appointments\/([^/]+)$/.exec(path);
  if (appointment) return <AppointmentPage appointmentId={decodeURIComponent(appointment[1])} canAct={canAct} />;
  switch (path) {
    case '/list':
      return <ListPage canAct={canAct} />;
    case '/conflicts':
      return <ConflictsPage canAct={canAct} />;
    case '/drift':
      return <DriftPage canAct={canAct} />;
    case '/sync':
      return <SyncHealthPage canAct={canAct} />;
    case '/catalog':
      return <CatalogPage />;
    case '/connect':
      return <ConnectPage canAct={canAct} />;
    default:
      return <CalendarPage canAct={canAct} />;
  }
}

/**
 * On first start (no staff yet) while Cal.com is configured but no account is linked, the way to the wizard is in
 * plain sight. A salon that mapped its staff by hand and set CALCOM_WEBHOOK_SECRET itself is not nagged.
 */
function ConnectPrompt() {
  const { t } = useI18n();
  const status = useConnectStatus();
  const staff = useStaff();
  if (!status.data?.calcomConfigured || status.data.linked || !staff.data || staff.data.length > 0) return null;
  return (
    <aside className="notice connect-prompt" aria-label={t('navConnect')}>
      {t('connectPrompt')} <Link to="/connect">{t('connectPromptLink')}</Link>
    </aside>
  );
}
