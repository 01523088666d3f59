import type { Parameter, SearchValues, TrainingJobSpec } from '@trainyard/contracts';

/**
 * Trial `trial`'s job: the search's template with the trial's values as its parameters (each
 * `--name=value`, replacing a template parameter of that name), in the search's project, named
 * `<template>-t<n>`, and in the search's experiment (the template's, else the search's name) so
 * `yard experiment show` lists the trials side by side.
 */
export function trialSpec(template: TrainingJobSpec, search: { name: string; project: string }, trial: number, values: SearchValues): TrainingJobSpec {
  const searched = new Set(Object.keys(values));
  const parameters: Parameter[] = [
    ...(template.algorithm.parameters ?? []).filter((p) => !searched.has(p.name)),
    ...Object.entries(values).map(([name, v]) => ({ name, value: parameterText(v) })),
  ];
  const suffix = `-t${trial}`;
  return {
    ...template,
    metadata: {
      ...template.metadata,
      name: `${template.metadata.name.slice(0, 64 - suffix.length)}${suffix}`,
      project: search.project,
      experiment: template.metadata.experiment ?? search.name,
    },
    algorithm: { ...template.algorithm, parameters },
  };
}

/** A value as the command line gets it: numbers in their shortest exact form. */
export const parameterText = (v: number | string): string => (typeof v === 'number' ? String(v) : v);
