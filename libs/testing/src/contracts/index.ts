// @trainyard/testing/contracts: generators of job submissions the contract refuses (fast-check).
export * from './invalid-job-specs';
