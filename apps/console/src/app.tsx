import { Permission } from '@trainyard/contracts';
import { useEffect, useRef } from 'react';
import { AuditPage } from './pages/audit-page';
import { DashboardPage } from './pages/dashboard-page';
import { JobPage } from './pages/job-page';
import { JobsPage } from './pages/jobs-page';
import { LoginPage } from './pages/login-page';
import { NodesPage } from './pages/nodes-page';
import { SubmitPage } from './pages/submit-page';
import { href, useRoute, type Route } from './router';
import { useSession } from './session/session';

const NAV = [
  { path: '/jobs', label: 'Jobs' },
  { path: '/submit', label: 'Submit' },
  { path: '/nodes', label: 'Nodes and pools' },
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/audit', label: 'Audit', permission: Permission.AuditRead },
] as const;

/** The console's frame: a skip link, the header with navigation and the signed-in principal, the page. */
export function App() {
  const session = useSession();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const section = route.path[0] ?? 'jobs';
  // A new page: move focus to it, so keyboard and screen-reader users start there.
  useEffect(() => {
    main.current?.focus();
  }, [route.path.join('/')]);

  if (session.status === 'loading') return <p className="loading">Loading…</p>;
  const showLogin = session.status === 'signed-out' || section === 'login';
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Trainyard</span>
        {session.me && !showLogin && (
          <nav aria-label="Main">
            <ul>
              {NAV.filter((n) => !('permission' in n) || session.can(n.permission)).map((n) => (
                <li key={n.path}>
                  <a href={href(n.path)} aria-current={`/${section}` === n.path ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          {session.me ? (
            <>
              <span data-testid="principal">{session.me.id}</span>
              <button type="button" onClick={session.signOut}>
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {showLogin ? <LoginPage /> : <Page route={route} />}
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  const [section, id] = route.path;
  switch (section ?? 'jobs') {
    case 'jobs':
      // Keyed by id: another job's page starts fresh — no dialog, selection or late answer of the last one carries over.
      return id ? <JobPage key={id} id={id} tab={route.query.get('tab') ?? 'overview'} /> : <JobsPage query={route.query} />;
    case 'submit':
      return <SubmitPage copyOf={route.query.get('copy') ?? undefined} />;
    case 'nodes':
      return <NodesPage />;
    case 'dashboard':
      return <DashboardPage />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.path.join('/')}</code>. <a href={href('/jobs')}>Go to the jobs</a>.
          </p>
        </>
      );
  }
}
