import { defineConfig } from 'tsup';

// One build, two formats: ESM (`.js`) and CommonJS (`.cjs`), each with its declarations.
// Every public entry point and every file that must exist on its own (a thread's entry,
// the CLI) is listed here.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'cli/main': 'src/cli/main.ts',
    // What a spawner process runs: its own file, found next to the CLI (see spawners.ts).
    'cli/spawner': 'src/cli/spawner.ts',
    'threads/index': 'src/threads/index.ts',
    // What a thread runs: its own file, so `new Worker()` can load it (see locate-entry.ts).
    'threads/entry': 'src/threads/entry.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  shims: true,
  splitting: true,
  treeshake: false,
});
