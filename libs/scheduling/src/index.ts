export * from './capacity';
export * from './cluster-view';
export * from './plan';
export * from './gang-planner';
