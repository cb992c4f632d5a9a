import type { CollectorDefinition } from './types.js';

// Every collector, one line each. A collector is one file exporting a CollectorDefinition.
export const collectorDefinitions: readonly CollectorDefinition[] = [
];
