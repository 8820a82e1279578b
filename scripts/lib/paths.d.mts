// Types for paths.mjs, so TypeScript specs and benchmarks can use it.
export declare const root: string;
export declare const outDir: string;
export declare function nodeGypEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function electronBinary(): string | null;
export declare function electronVersion(): string;
