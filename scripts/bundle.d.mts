import type { BuildOptions } from 'rolldown';

/** rolldown's options for the published files (scripts/bundle.mjs). */
export declare const bundleOptions: BuildOptions & { output: NonNullable<BuildOptions['output']> };
