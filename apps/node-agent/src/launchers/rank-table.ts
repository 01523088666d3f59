import { posix } from 'node:path';
import type { TaskAssignment } from '@trainyard/contracts';
import { TASK_ROLE, vjName } from '../task-environment';
import type { TaskPaths } from '../task-paths';

/** The guide's file name for the Ascend HCCL rank table (L1021-1023). */
export const RANK_TABLE_FILE_NAME = 'jobstart_hccl.json';

/**
 * Template 2 of the Ascend HCCL rank table, the shape the vendor's platform writes (L1039-1056).
 * Every scalar is a string, as in the guide's example.
 */
export interface RankTableTemplate2 {
  group_count: string;
  group_list: Array<{
    device_count: string;
    group_name: string;
    instance_count: string;
    instance_list: Array<{
      devices: Array<{ device_id: string; device_ip: string }>;
      pod_name: string;
      server_id: string;
    }>;
  }>;
  status: 'completed';
}

/**
 * Where a task's rank table is: `RANK_TABLE_FILE` names the file itself, as the launch section says
 * (L338) and as HCCL reads it, not the directory of Table 2-5 (L1031-1035): one rule, the one
 * preset frameworks rely on.
 */
export function rankTablePath(paths: TaskPaths): string {
  return posix.join(paths.home, 'rank_table', RANK_TABLE_FILE_NAME);
}

/**
 * The job's rank table: one group, one instance per task in index order, `perNode` devices each.
 * `device_id` is the card the scheduler gave that instance (`devicesByIndex`, the node's NPU id, as
 * the guide's proc-log names count it, ch14 L10176-10209); an instance without assigned cards (a node
 * from before issue 14) falls back to the local index 0…n-1. The control plane knows no NPU NIC
 * addresses, so `device_ip` is the instance's host address. The file is written once with
 * `status: completed` (all instances are known at launch), so a script polling for it (L1058-1060)
 * goes on at once.
 *
 * @example
 * rankTable(assignment, 1).group_list[0].instance_list[0]
 * // { devices: [{ device_id: '0', device_ip: '10.0.0.5' }], pod_name: 'modelarts-job-j1-worker-0', server_id: '10.0.0.5' }
 */
export function rankTable(a: TaskAssignment, hosts: readonly string[], perNode: number): RankTableTemplate2 {
  const vj = vjName(a.jobId);
  return {
    group_count: '1',
    group_list: [
      {
        device_count: String(hosts.length * perNode),
        group_name: `job-${a.jobName}`,
        instance_count: String(hosts.length),
        instance_list: hosts.map((host, index) => ({
          devices: Array.from({ length: perNode }, (_, d) => ({ device_id: cardOf(a, index, d), device_ip: host })),
          pod_name: `${vj}-${TASK_ROLE}-${index}`,
          server_id: host,
        })),
      },
    ],
    status: 'completed',
  };
}

/** The `d`-th card of instance `index`: its assigned id when it has one per process, else `d`. */
function cardOf(a: TaskAssignment, index: number, d: number): string {
  const ids = a.devicesByIndex?.[index];
  return ids && ids[d] !== undefined ? ids[d] : String(d);
}
