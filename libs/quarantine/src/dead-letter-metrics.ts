import { deadLetterMetrics } from '@trainyard/telemetry';
import type { DeadLetter } from './dead-letter';

/** Counts one stored dead letter in `trainyard_dead_letters_total{consumer,code}`. */
export function countDeadLetter(letter: Pick<DeadLetter, 'consumer' | 'code'>): void {
  deadLetterMetrics().quarantined.inc({ consumer: letter.consumer, code: letter.code });
}
