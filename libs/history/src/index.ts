// Replaying history (issue 17), pure: folding the log to any past moment with the deciders' own
// evolve, explaining a job's decisions, the goodput ledger, the export format, and counterfactual
// replay through the real planner. The shells (libs/db, apps/api, apps/cli) do the I/O.
export * from './history-fold';
export * from './views-at';
export * from './explain';
export * from './placement-check';
export * from './goodput';
export * from './export-format';
export * from './sim/recording';
export * from './sim/simulate';
