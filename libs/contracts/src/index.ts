export * from './job-spec';
export * from './errors';
export * from './subjects';
export * from './events';
export * from './event-catalogue';
export * from './commands';
export * from './validate-job-spec';
