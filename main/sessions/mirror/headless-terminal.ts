/**
 * The xterm.js headless Terminal class, loaded so it works from sources and
 * bundled. The package is CommonJS marked `__esModule`: Node's ESM loader
 * sees only a default export, a CJS transform (tsx's require hook, used for
 * the worker from sources) only named ones; `require` agrees with both.
 */
import { createRequire } from 'node:module';
import type * as Headless from '@xterm/headless';

export const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as typeof Headless;
export type Terminal = Headless.Terminal;
