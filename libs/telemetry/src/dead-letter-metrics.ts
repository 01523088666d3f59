import { counter } from './metric';

/**
 * Messages a consumer gave up on and kept as dead letters (libs/quarantine), by consumer and failure
 * code. Counted where the quarantine happens; the API's `trainyard_dead_letters` gauge says how many
 * are still unresolved.
 */
export const deadLetterMetrics = () => ({
  quarantined: counter('trainyard_dead_letters_total', 'Messages quarantined as dead letters after they could not be applied', ['consumer', 'code']),
});
