// @trainyard/testing/domain: given/when/then for deciders and training-job histories, for domain specs.
export * from './decider-spec';
export * from './training-job-fixtures';
