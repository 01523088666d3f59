import type { JobEvent } from '../../api/types';
import { formatTime } from '../../format/time';

/** The job's events with the guide's fields (L10017-10018): type, source, message (English and Chinese), time. */
export function EventsTimeline({ events }: { events: JobEvent[] }) {
  return (
    <section aria-labelledby="events-h">
      <h2 id="events-h">Events</h2>
      <ol className="timeline">
        {events.map((e) => (
          <li key={`${e.seq}-${e.idx}`} className={/Failed|Abnormal|Hang|Error|Preempted/.test(e.type) ? 'bad' : undefined}>
            <time dateTime={e.time}>{formatTime(e.time)}</time>
            <div>
              <div>
                <span className="mono type">{e.type}</span> <span className="muted">from {e.actor}</span>
              </div>
              <div>{e.message}</div>
              <div lang="zh" className="zh">
                {e.messageZh}
              </div>
            </div>
          </li>
        ))}
      </ol>
      {events.length === 0 && <p>No events yet.</p>}
    </section>
  );
}
