import type { FailureAnalysis } from '@trainyard/contracts';
import type { FaultHint } from '../recovery/classify-fault';
import type { LogLine } from './analyse-failure';
import { PEER_LOST, pythonException } from './python-traceback';

/**
 * One row of the failure analyser's table: a pattern over a task's last log lines, the likely cause,
 * the advice, and what it says about the fault (hardware faults isolate the node; software ones do not).
 */
export interface FailureRule {
  id: string;
  category: string;
  pattern: RegExp;
  cause: string;
  advice: string;
  adviceKind: FailureAnalysis['adviceKind'];
  hint: FaultHint;
  /** The guide's lines the rule comes from (ch12-13 §5.4), or undefined for a common rule of ours. */
  source?: string;
  /**
   * Finds the evidence itself instead of taking every line `pattern` matches (a whole traceback), and
   * may say the cause more precisely. Undefined: the rule does not apply.
   */
  select?: (lines: readonly LogLine[]) => { evidence: LogLine[]; cause?: string } | undefined;
}

/**
 * The rule table, most specific first (the first rule with a match wins). The guide lists no patterns
 * for its analyser (§5, L8322-8358, gap 1); its concrete strings are in ch12 §2–§4, collected in the
 * seed's §5.4 table, which the `LF-*` rules follow. The others are common failures of training jobs.
 */
export const FAILURE_RULES: readonly FailureRule[] = [
  {
    id: 'LF-NPU-USERCODE', category: 'npu-user-induced', pattern: /\b(80C98002|80CB8002)\b/,
    cause: 'an NPU chip fault caused by an operator or the input data (fault code 80C98002/80CB8002)',
    advice: 'check the CANN version, the operator implementation and the correctness of the data', adviceKind: 'reference_case', hint: 'user-induced', source: 'L8189-8191, L8206-8207',
  },
  {
    id: 'LF-ECC', category: 'hardware', pattern: /uncorrectable ECC|ECC error|double[- ]bit ECC|multi-bit ECC|HBM.*ECC/i,
    cause: 'an uncorrectable memory (ECC) error on the accelerator', advice: 'the node is isolated and the job moved; nothing to change in the code',
    adviceKind: 'copy_job', hint: 'hardware', source: 'L7913-7934',
  },
  {
    id: 'LF-GPU-LOST', category: 'hardware', pattern: /GPU has fallen off the bus|Xid\s*\(?\s*(48|62|63|64|74|79)\b|NVRM: .*Xid|device(s)? (is|are) not available|no CUDA-capable device/i,
    cause: 'the accelerator failed or is not reachable on this node', advice: 'the node is isolated and the job moved; copy the job to retry elsewhere',
    adviceKind: 'copy_job', hint: 'hardware',
  },
  {
    id: 'LF-NCCL-IBERR', category: 'network', pattern: /Got completion with error 12, opcode \d+, len \d+, vendor err 129/,
    cause: 'the RDMA network is unstable', advice: 'set NCCL_IB_GID_INDEX=3, NCCL_IB_TC=128, NCCL_IB_TIMEOUT=22',
    adviceKind: 'reference_case', hint: 'software', source: 'L7804-7819',
  },
  {
    id: 'LF-CUDA-OOM', category: 'out-of-memory', pattern: /CUDA out of memory|CUDA error: out of memory|OutOfMemoryError: CUDA|RESOURCE_EXHAUSTED: OOM/i,
    cause: 'the accelerator ran out of memory', advice: 'reduce the batch size or the model size, or use a flavor with more accelerator memory',
    adviceKind: 'reference_case', hint: 'software',
  },
  {
    id: 'LF-NCCL-TIMEOUT', category: 'communication', pattern: /NCCL.*(timeout|timed out|Watchdog caught collective operation timeout)|HCCL.*(timeout|time out)|ProcessGroupNCCL.*Timeout|EI0002|Socket Timeout/i,
    cause: 'a collective operation (NCCL/HCCL) timed out: a peer failed, hung or is unreachable',
    advice: 'check every rank\'s log for the first error; set NCCL_DEBUG=INFO; check master_ip and rank are passed (VC_WORKER_HOSTS, RANK)',
    adviceKind: 'reference_case', hint: 'software', source: 'L7763-7772',
  },
  {
    id: 'LF-MODULE', category: 'environment', pattern: /ModuleNotFoundError: No module named '([^']+)'|ImportError: (No module named|cannot import name)/,
    cause: 'a Python module is missing from the image or the environment', advice: 'install the package (requirements.txt next to the boot file, or the image) and copy the job',
    adviceKind: 'copy_job', hint: 'software',
  },
  {
    id: 'LF-PERMISSION', category: 'permission', pattern: /Permission denied|PermissionError|EACCES|Operation not permitted/,
    cause: 'the task may not read or write a path it uses', advice: 'check the permissions of the code, input and output paths for the task\'s user id (algorithm.userId)',
    adviceKind: 'reference_case', hint: 'software',
  },
  {
    id: 'LF-OOM-KILLED', category: 'out-of-memory', pattern: /Out of memory: Killed process|oom-kill|OOMKilled|MemoryError|Cannot allocate memory|^Killed$/im,
    cause: 'the task ran out of host memory (killed by the OOM killer)', advice: 'use a flavor with more memory, fewer data-loader workers, or smaller batches',
    adviceKind: 'reference_case', hint: 'software', source: 'L7845-7850',
  },
  {
    id: 'LF-RESTART-EXIT', category: 'restart-exhausted', pattern: /error,exiting/,
    cause: 'the job\'s restart failed and it ended', advice: 'read the log before this line for the first error', adviceKind: 'reference_case', hint: 'software', source: 'L7663-7664',
  },
  {
    id: 'LF-TRACEBACK', category: 'user-code', pattern: /^Traceback \(most recent call last\):|^\w*(Error|Exception): /m,
    cause: 'the training script raised an exception', advice: 'fix the error the traceback ends with, then copy the job',
    adviceKind: 'copy_job', hint: 'software',
    // The script's own traceback, whole; not a peer's consequence nor the launcher's wrapper.
    select: (lines) => {
      const found = pythonException(lines);
      return found && { evidence: found.lines, cause: `the training script raised an exception: ${found.exception.slice(0, 300)}` };
    },
  },
  {
    id: 'LF-PEER-LOST', category: 'communication', pattern: PEER_LOST,
    cause: 'a peer of this distributed job went away (its process ended or its node failed), so this rank\'s collective failed',
    advice: 'read the other tasks\' logs for the first failure; this one is its consequence', adviceKind: 'reference_case', hint: 'software',
  },
];
