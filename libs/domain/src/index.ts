// Pure deciders of Trainyard (STYLE 1): no I/O, no clocks, no randomness. Time comes in `metadata.now`.

// The decider shape, rejections as values, and the adapter for shells that expect a throw.
export * from './decider';

// Training job: state + evolve, commands + decide, statuses.
export * from './training-job/job-status';
export * from './training-job/training-job';
export * from './training-job/task-view';
export * from './training-job/training-job.decide';
export * from './training-job/wait-reason';

// Node: registration and the work committed to it.
export * from './node/node';
export * from './node/node.decide';

// Fault recovery (issue 5): the policy, node isolation, hang detection, failure analysis.
export * from './training-job/training-job.recovery';
export * from './node/node.isolation';
export * from './recovery';
export * from './fault-case';
export * from './failure-analysis';

// Identity (issue 11): tokens, projects, role bindings, and the principal they make.
export * from './identity/identity';
export * from './identity/identity.decide';
export * from './identity/join-token';

// Notifications (issue 15): subscriptions, which log event is which notification, retry back-off.
export * from './notification/subscription';
export * from './notification/subscription.decide';
export * from './notification/notification-mapping';
export * from './notification/delivery-backoff';
// Hyperparameter search (issue 15): a search's fold, spaces, grid, annealing, metric regex, median rule.
export * from './search';
