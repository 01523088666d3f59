import { StateBadge } from '../components/state-badge';
import { Tabs } from '../components/tabs';
import { href, navigate } from '../router';
import { EventsTimeline } from './job/events-timeline';
import { JobActions } from './job/job-actions';
import { JobSummaryView } from './job/job-summary';
import { LogViewer } from './job/log-viewer';
import { RecoveryFlow } from './job/recovery-flow';
import { ResourceCharts } from './job/resource-charts';
import { SpecYaml } from './job/spec-yaml';
import { TasksTable } from './job/tasks-table';
import { useLiveJob } from './job/use-live-job';
import { WaitReason } from './job/wait-reason';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'events', label: 'Events' },
  { id: 'recovery', label: 'Fault recovery' },
  { id: 'logs', label: 'Logs' },
  { id: 'monitoring', label: 'Monitoring' },
  { id: 'spec', label: 'Spec' },
];

/** One job: its summary and actions, then tabs for tasks, events, the recovery flow, logs, charts and spec. */
export function JobPage({ id, tab }: { id: string; tab: string }) {
  const live = useLiveJob(id);
  const { job } = live;
  if (live.error && !job) {
    return (
      <>
        <h1>Job {id}</h1>
        <p role="alert" className="error">
          {live.error.message}
        </p>
        <p>
          <a href={href('/jobs')}>Back to the jobs</a>
        </p>
      </>
    );
  }
  if (!job) return <p className="loading">Loading job…</p>;
  const selected = TABS.some((t) => t.id === tab) ? tab : 'overview';
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href('/jobs')}>Jobs</a> / <span>{job.name}</span>
      </nav>
      <div className="page-head">
        <h1>{job.name}</h1>
        <StateBadge state={job.state} testId="job-state" />
        <JobActions job={job} onChanged={live.refresh} />
      </div>
      <Tabs label="Job details" tabs={TABS} selected={selected} onSelect={(t) => navigate(href(`/jobs/${id}`, { tab: t === 'overview' ? undefined : t }))}>
        {selected === 'overview' && (
          <>
            <JobSummaryView job={job} events={live.events} restarts={live.recovery?.restarts ?? null} />
            <WaitReason job={job} />
            <TasksTable job={job} />
          </>
        )}
        {selected === 'events' && <EventsTimeline events={live.events} />}
        {selected === 'recovery' && <RecoveryFlow events={live.events} recovery={live.recovery} />}
        {selected === 'logs' && <LogViewer job={job} />}
        {selected === 'monitoring' && <ResourceCharts job={job} />}
        {selected === 'spec' && <SpecYaml job={job} />}
      </Tabs>
    </>
  );
}
