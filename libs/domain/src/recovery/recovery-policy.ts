import { FaultToleranceAnnotation, type TrainingJobSpec } from '@trainyard/contracts';

/**
 * A job's fault-tolerance settings, read from its annotations (ch12 §4.2, L8053-8114). The
 * annotations are validated at submit (V18, libs/contracts `validateAnnotations`), so here a value
 * is either absent or well-formed.
 *
 * @example
 * ```ts
 * policyOf(spec) // { autoRestart: true, maxRestarts: 8, unconditional: true, hangRetry: true, maxPodRestarts: 3, accelerated: true }
 * ```
 */
export interface RecoveryPolicy {
  /** `fault-tolerance/job-retry-num` is present: auto restart (and preflight) are on (L7590-7595). */
  autoRestart: boolean;
  /** 最大重启次数: re-dispatches allowed, 1–128; 0 when auto restart is off. */
  maxRestarts: number;
  /** `fault-tolerance/job-unconditional-retry` = "true" (L8060-8061). */
  unconditional: boolean;
  /** `fault-tolerance/hang-retry` = "true" (L8063-8064). */
  hangRetry: boolean;
  /** `fault-tolerance/pod-retry-num`, when set (L8066-8067): pod reschedules allowed. */
  maxPodRestarts?: number;
  /** The flavor has a GPU or NPU: hang detection applies (L7729). */
  accelerated: boolean;
}

/** The policy of a job spec. Without `job-retry-num` every switch is off, whatever else is set. */
export function policyOf(spec: TrainingJobSpec): RecoveryPolicy {
  const a = spec.metadata.annotations ?? {};
  const flavor = spec.spec.resource.flavor;
  const accelerated = (flavor.gpu ?? 0) > 0 || (flavor.npu ?? 0) > 0;
  const retry = a[FaultToleranceAnnotation.jobRetryNum];
  if (retry === undefined) return { autoRestart: false, maxRestarts: 0, unconditional: false, hangRetry: false, accelerated };
  const pod = a[FaultToleranceAnnotation.podRetryNum];
  return {
    autoRestart: true,
    maxRestarts: Number(retry),
    unconditional: a[FaultToleranceAnnotation.jobUnconditionalRetry] === 'true',
    hangRetry: a[FaultToleranceAnnotation.hangRetry] === 'true',
    ...(pod !== undefined ? { maxPodRestarts: Number(pod) } : {}),
    accelerated,
  };
}

/** True when a task failure waits for the fault manager instead of failing the job at once. */
export const autoRestartOn = (spec: TrainingJobSpec): boolean =>
  spec.metadata.annotations?.[FaultToleranceAnnotation.jobRetryNum] !== undefined;
