// Hyperparameter search (issue 15): the search's fold and the pure parts of the tuner.
export * from './search';
export * from './search.decide';
export * from './seeded-random';
export * from './search-space';
export * from './grid-walk';
export * from './anneal';
export * from './metric-reports';
export * from './median-rule';
export * from './trial-spec';
