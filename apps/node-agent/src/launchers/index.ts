// How a task starts: one pure planner per launch method of the guide, and the I/O that writes its files.
export { planLaunch } from './plan-launch';
export { launcherFor } from './launch-method';
export { writeLaunchFiles } from './launch-files';
export { processesPerNode, taskHosts, type LaunchContext, type LaunchFile, type LaunchPlan, type LaunchProcess, type LauncherName } from './launch-plan';
export { rankTable, rankTablePath, RANK_TABLE_FILE_NAME, type RankTableTemplate2 } from './rank-table';
export { mpiHostfile, mpiTuneFile } from './mpi-hostfile';
export { mpiReleaseFile, DEFAULT_MPI_BTL_TCP_IF } from './mpi-launcher';
export { DEFAULT_MSRUN_CLUSTER_TIME_OUT } from './msrun-launcher';
export { platformPort, PLATFORM_PORT_RANGE } from './platform-port';
export { shellWord, renderArgv, splitWords } from './shell-words';
export { launcherReport } from './launcher-report';
export { torchrunReport } from './torchrun-report';
export { mpirunReport } from './mpirun-report';
