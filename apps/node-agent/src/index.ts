// Public surface of the node agent, for an all-in-one process and for tests.
export { startNodeAgent, type AgentLogger, type NodeAgentDeps, type NodeAgentHandle } from './node-agent';
export { loadAgentConfig, parseLabels, AgentConfigError, DEFAULT_INHERIT_ENV, type AgentConfig } from './agent-config';
export { buildTaskEnvironment, NCCL_DEFAULTS, vjName, type TaskNode } from './task-environment';
export { bootCommand, bootArguments, BootCommandError } from './boot-command';
export { shellQuote } from './shell-quote';
export { taskPaths, codeDirName, workingDirOf, channelPath, type TaskPaths } from './task-paths';
export { prepareTaskDirs, linkCodeDir, CodeDirError } from './code-dir';
export { processRuntime, type ProcessRuntimeOptions } from './process-runtime';
export { LaunchError, type TaskRuntime, type TaskSpec, type TaskHandle, type TaskExit, type LineSink, type OutputStream } from './task-runtime';
export { LogShipper, jetStreamLogPublish, type LogPublish, type LogShipperOptions } from './log-shipper';
export { LogSpool, type LogSpoolOptions, type SealedBatch } from './log-spool';
export { logBatchMsgId, type LogBatch } from '@trainyard/contracts';
export { type Heartbeat, type RunningTask } from './heartbeat';
export { eventLogReporter, startedCommandId, exitedCommandId, type TaskReporter, type ReportOutcome } from './task-reporter';
export { reconcile, applyNodeEvent, exitReason, taskKey, type AgentAction, type DesiredTask, type LocalTask } from './task-reconciler';
