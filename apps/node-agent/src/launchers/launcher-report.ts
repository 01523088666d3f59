import type { LauncherReport } from '@trainyard/contracts';
import type { LauncherName } from './launch-plan';
import { mpirunReport } from './mpirun-report';
import { torchrunReport } from './torchrun-report';

/**
 * What the task's launcher said about its failure, read from the task's last output lines (the agent
 * keeps them): torchrun's failure summary, mpirun's notice. Launchers that print none (msrun keeps its
 * workers' logs in files, the others are the script itself) give undefined, and the exit is classified
 * by its code alone.
 */
export function launcherReport(launcher: LauncherName, lines: readonly string[]): LauncherReport | undefined {
  switch (launcher) {
    case 'torchrun':
      return torchrunReport(lines);
    case 'mpi':
      return mpirunReport(lines);
    case 'msrun':
    case 'ranktable':
    case 'pytorch-gpu':
    case 'tensorflow-ps':
    case 'command':
    case 'boot-file':
      return undefined;
    default: {
      const _exhaustive: never = launcher;
      return _exhaustive;
    }
  }
}
