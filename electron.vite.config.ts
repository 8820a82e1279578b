/**
 * Build of all three Electron targets. `main` bundles two entries from the
 * same core: the Electron shell (index) and the browser-mode host (serve),
 * plus the session mirror's worker thread, which starts from its own file.
 * The preload is CommonJS because sandboxed preloads cannot be ES modules.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          serve: resolve(root, 'main/web/serve.ts'),
          'mirror-worker': resolve(root, 'main/sessions/mirror/mirror-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
