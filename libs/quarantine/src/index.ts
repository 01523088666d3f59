// Public surface of @trainyard/quarantine: the dead-letter mechanism every durable consumer uses so
// that no single message can stall it (issue 9). Pure decisions (classify, retry or quarantine, the
// batch core) and the TY_DEAD_LETTERS sink; the PostgreSQL store is in libs/db.
export { classifyFailure, type Failure, type FailureKind } from './failure';
export { backoff, DEFAULT_RETRY_POLICY, isTransient, nextStep, retryPolicy, type RetryPolicy, type Step } from './retry-policy';
export {
  deadLetter, MAX_MESSAGE_CHARS, storableText,
  type DeadLetter, type DeadLetterRecord, type DeadLetterSink, type DeadLetterState, type MessageRef, type QuarantineSummary,
} from './dead-letter';
export { applyOrQuarantine, type Attempts, type BatchOptions, type BatchPorts } from './apply-or-quarantine';
export { Quarantine, withQuarantine, type CommitHandler, type QuarantineOptions, type Verdict } from './quarantine';
export { deadLetterStreamConfig, JetStreamDeadLetters, type JetStreamDeadLettersOptions } from './jetstream-dead-letters';
export { countDeadLetter } from './dead-letter-metrics';
