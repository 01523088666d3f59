// Public surface of the tuner (issue 15, hyperparameter search), for an all-in-one process.
export { startTuner, type TunerApp } from './start-tuner';
export { DEFAULT_TUNER_OPTIONS, tunerOptionsFromEnv, type TunerOptions } from './tuner-options';
