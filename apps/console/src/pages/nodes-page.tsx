import { Permission } from '@trainyard/contracts';
import { useEffect, useState } from 'react';
import { api } from '../api/api-client';
import type { NodeItem, Pool } from '../api/types';
import { CapacityBar } from '../components/capacity-bar';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useAsync } from '../components/use-async';
import { formatTime } from '../format/time';
import { useSession } from '../session/session';

type Verb = 'cordon' | 'drain' | 'uncordon';
const VERB_TEXT: Record<Verb, { title: string; confirm: string; body: string }> = {
  cordon: { title: 'Cordon', confirm: 'Cordon the node', body: 'No new work is placed on it; running tasks stay.' },
  drain: { title: 'Drain', confirm: 'Drain the node', body: 'No new work, and its tasks are stopped and recovered elsewhere.' },
  uncordon: { title: 'Uncordon', confirm: 'Put the node back', body: 'It takes new work again.' },
};

/** Pools with their capacity and supernodes; nodes with capacity bars, liveness, why they are out of service, and the operator's verbs. */
export function NodesPage() {
  const { can } = useSession();
  const nodes = useAsync((signal) => api<{ items: NodeItem[] }>('GET', '/v1/nodes', undefined, { signal }), []);
  const pools = useAsync((signal) => api<{ items: Pool[] }>('GET', '/v1/pools', undefined, { signal }), []);
  const [dialog, setDialog] = useState<{ node: string; verb: Verb } | null>(null);
  // Capacity and liveness change without events a stream would carry (heartbeats): read them every 5 s.
  useEffect(() => {
    const t = setInterval(() => (nodes.reload(), pools.reload()), 5000);
    return () => clearInterval(t);
  }, [nodes.reload, pools.reload]);
  const operator = can(Permission.NodeOperate);
  return (
    <>
      <h1>Nodes and pools</h1>
      {(nodes.error || pools.error) && (
        <p role="alert" className="error">
          {(nodes.error ?? pools.error)!.message}
        </p>
      )}
      <section aria-labelledby="pools-h">
        <h2 id="pools-h">Pools</h2>
        <div className="cards">
          {pools.data?.items.map((p) => (
            <article key={p.name} className="card" aria-labelledby={`pool-${p.name}`}>
              <h3 id={`pool-${p.name}`}>{p.name}</h3>
              <p>
                {p.readyNodes} of {p.nodes.length} nodes ready
              </p>
              <CapacityBar label="vCPU" used={p.used.cpu} capacity={p.capacity.cpu} />
              <CapacityBar label="Memory" used={p.used.memoryMiB} capacity={p.capacity.memoryMiB} unit=" MiB" />
              <CapacityBar label="GPU" used={p.used.gpu} capacity={p.capacity.gpu} />
              <CapacityBar label="NPU" used={p.used.npu} capacity={p.capacity.npu} />
              {Object.keys(p.supernodes).length > 0 && (
                <>
                  <h4>Supernodes</h4>
                  <ul>
                    {Object.entries(p.supernodes).map(([sn, ids]) => (
                      <li key={sn}>
                        <span className="mono">{sn}</span>: {ids.join(', ')}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </article>
          ))}
        </div>
      </section>
      <section aria-labelledby="nodes-h">
        <h2 id="nodes-h">Nodes</h2>
        <table className="nodes">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Pool</th>
              <th scope="col">Status</th>
              <th scope="col">Capacity in use</th>
              <th scope="col">Supernode</th>
              <th scope="col">Out of service</th>
              {operator && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {nodes.data?.items.map((n) => (
              <tr key={n.id} data-node={n.id}>
                <td>
                  <span className="mono">{n.id}</span>
                  <div className="muted">{n.host}</div>
                </td>
                <td>{n.pool}</td>
                <td>
                  <span className={`status status-${n.status}`}>{n.status}</span>
                  {n.availability && <span className={`status status-${n.availability}`} data-testid={`availability-${n.id}`}>{n.availability}</span>}
                </td>
                <td className="bars">
                  <CapacityBar label="vCPU" used={n.used.cpu} capacity={n.capacity.cpu} />
                  <CapacityBar label="Memory" used={n.used.memoryMiB} capacity={n.capacity.memoryMiB} unit=" MiB" />
                  <CapacityBar label="GPU" used={n.used.gpu} capacity={n.capacity.gpu} />
                  <CapacityBar label="NPU" used={n.used.npu} capacity={n.capacity.npu} />
                </td>
                <td>{n.labels['trainyard.io/supernode'] ?? n.labels.supernode ?? '—'}</td>
                <td data-testid={`isolation-${n.id}`}>
                  {n.isolation ? (
                    <>
                      {n.isolation.reason}
                      {n.isolation.detail ? `: ${n.isolation.detail}` : ''}
                      <div className="muted">
                        by {n.isolation.by} since {formatTime(n.isolation.since)}
                      </div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                {operator && (
                  <td>
                    <div className="node-actions">
                    {n.availability === 'isolated' || n.availability === 'draining' ? (
                      <button type="button" onClick={() => setDialog({ node: n.id, verb: 'uncordon' })} aria-label={`Uncordon ${n.id}`}>
                        Uncordon
                      </button>
                    ) : (
                      <>
                        <button type="button" onClick={() => setDialog({ node: n.id, verb: 'cordon' })} aria-label={`Cordon ${n.id}`}>
                          Cordon
                        </button>
                        <button type="button" className="danger" onClick={() => setDialog({ node: n.id, verb: 'drain' })} aria-label={`Drain ${n.id}`}>
                          Drain
                        </button>
                      </>
                    )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {dialog && (
        <ConfirmDialog
          title={`${VERB_TEXT[dialog.verb].title} ${dialog.node}?`}
          confirmLabel={VERB_TEXT[dialog.verb].confirm}
          danger={dialog.verb === 'drain'}
          reason
          onClose={() => setDialog(null)}
          onConfirm={async ({ reason }) => {
            await api('POST', `/v1/nodes/${encodeURIComponent(dialog.node)}/${dialog.verb}`, reason.trim() ? { reason: reason.trim() } : {});
            nodes.reload();
            pools.reload();
          }}
        >
          <p>{VERB_TEXT[dialog.verb].body}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
