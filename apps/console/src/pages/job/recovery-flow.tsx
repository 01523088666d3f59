import type { JobEvent, RecoveryView } from '../../api/types';
import { FLOW_STAGES, jobFlow } from '../../format/job-flow';
import { formatTime } from '../../format/time';

/**
 * The guide's job flow (作业调度 > 环境准备 > 作业运行 > 作业结束, one record per run, L9880-9919) and
 * its fault tolerance (容错与恢复, L7672-7683): the settings, restarts current/max, and every rule that fired.
 */
export function RecoveryFlow({ events, recovery }: { events: JobEvent[]; recovery: RecoveryView | undefined }) {
  const records = jobFlow(events);
  return (
    <>
      <section aria-labelledby="flow-h">
        <h2 id="flow-h">Job flow</h2>
        {records.map((r) => (
          <div key={r.run} className="flow-record">
            <h3>Run {r.run}</h3>
            <ol className="flow">
              {FLOW_STAGES.map((s) => {
                const steps = r.stages[s.key];
                const status = steps.some((x) => x.bad) ? 'bad' : s.key === r.current ? 'current' : steps.length ? 'done' : 'pending';
                return (
                  <li key={s.key} className={`stage ${status}`} aria-current={s.key === r.current ? 'step' : undefined}>
                    <h4>
                      {s.en} <span lang="zh">{s.zh}</span>
                    </h4>
                    <ul>
                      {steps.map((x) => (
                        <li key={`${x.seq}-${x.type}`}>
                          <time dateTime={x.time}>{formatTime(x.time).slice(11)}</time> {x.message}
                        </li>
                      ))}
                    </ul>
                  </li>
                );
              })}
            </ol>
          </div>
        ))}
      </section>
      <section aria-labelledby="ft-h">
        <h2 id="ft-h">Fault tolerance</h2>
        {!recovery ? (
          <p>Loading…</p>
        ) : (
          <>
            <dl className="summary">
              <div>
                <dt>Auto restart</dt>
                <dd>{recovery.policy.autoRestart ? `on, at most ${recovery.policy.maxRestarts}` : 'off'}</dd>
              </div>
              <div>
                <dt>Unconditional restart</dt>
                <dd>{recovery.policy.unconditional ? 'on' : 'off'}</dd>
              </div>
              <div>
                <dt>Restart on hang</dt>
                <dd>{recovery.policy.hangRetry ? 'on' : 'off'}</dd>
              </div>
              <div>
                <dt>Restarts (current/max)</dt>
                <dd>{recovery.restarts ? `${recovery.restarts.current}/${recovery.restarts.max}` : '—'}</dd>
              </div>
            </dl>
            <h3>Rules that fired</h3>
            {recovery.history.length === 0 ? (
              <p>No fault so far.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Attempt</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Action</th>
                    <th scope="col">Fault</th>
                    <th scope="col">Restarts</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {recovery.history.map((h) => (
                    <tr key={`${h.seq}-${h.kind}`}>
                      <td>{formatTime(h.time)}</td>
                      <td>{h.attempt}</td>
                      <td className="mono">{h.kind === 'suspected-hang' ? 'suspected hang' : h.rule}</td>
                      <td>{h.action ?? '—'}</td>
                      <td>{h.fault ? [h.fault.kind, h.fault.task, h.fault.nodeId].filter(Boolean).join(' · ') : '—'}</td>
                      <td>{h.restarts ? `${h.restarts.current}/${h.restarts.max}` : '—'}</td>
                      <td>
                        {h.message}
                        {h.messageZh && (
                          <div lang="zh" className="zh">
                            {h.messageZh}
                          </div>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {recovery.analyses.length > 0 && (
              <>
                <h3>Failure analysis</h3>
                <ul>
                  {recovery.analyses.map((a) => (
                    <li key={`${a.task}-${a.attempt}-${a.time}`}>
                      <span className="mono">{a.task}</span> (attempt {a.attempt}), rule <span className="mono">{a.rule}</span>: {a.cause} — {a.advice}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>
    </>
  );
}
