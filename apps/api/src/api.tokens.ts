/** Injection tokens: the API's ports, bound to real implementations by `ApiModule.forRoot`. */
export const COMMANDS = Symbol('CommandClient');
export const READS = Symbol('ReadModel');
export const API_OPTIONS = Symbol('ApiOptions');
