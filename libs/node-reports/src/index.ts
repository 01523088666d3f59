// What node agents report and how it reaches the log: the agent's bus reporter, the control plane's
// report intake, and the deciding reporter the intake runs (docs/architecture.md, "A bus that trusts no message").
export { busReporter } from './bus-reporter';
export { eventLogReporter } from './log-reporter';
export { ReportIntake, type ReportIntakeOptions } from './report-intake';
export { parseReportRequest, ReportVerbs, type ReportRequest, type ReportVerb } from './report-request';
export {
  checkpointCommandId, exitedCommandId, precheckCommandId, startedCommandId, type ReportOutcome, type TaskReporter,
} from './task-reporter';
