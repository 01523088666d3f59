import { counter, gauge, histogram, LATENCY_BUCKETS } from './metric';

/** The node agent's log shipping, per node. */
export const logShipperMetrics = () => ({
  linesShipped: counter('trainyard_log_lines_shipped_total', 'Task output lines stored in TY_LOGS by this agent', ['node_id']),
  bytesShipped: counter('trainyard_log_bytes_shipped_total', 'Bytes of TY_LOGS messages acknowledged', ['node_id']),
  publishFailures: counter('trainyard_log_publish_failures_total', 'Log batch publishes that failed and were retried', ['node_id']),
  spoolBytes: gauge('trainyard_log_spool_bytes', 'Log batches waiting in the disk spool (NATS unreachable or backlog)', ['node_id']),
});

/** The log router's store. */
export const logRouterMetrics = () => ({
  linesStored: counter('trainyard_log_lines_stored_total', 'Task output lines stored by the log router'),
  messagesStored: counter('trainyard_log_messages_stored_total', 'TY_LOGS messages stored by the log router'),
  storeSeconds: histogram('trainyard_log_store_seconds', 'Time to store one run of TY_LOGS messages (one transaction)', [], LATENCY_BUCKETS),
  checkpoint: gauge('trainyard_log_router_checkpoint', 'Last TY_LOGS stream sequence stored'),
});
