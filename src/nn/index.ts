// dt.nn: modules, layers, initializers and losses.
export { Module, toSnakeCase } from './module.js';
export type { StateDict, LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export * as utils from './utils/index.js';
