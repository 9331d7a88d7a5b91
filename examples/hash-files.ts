// Hashes every file under a folder on worker threads, with progress from the pool's events.
//
//   node --import tsx examples/hash-files.ts [folder]      (default: this repository's src/)
//
// Prints `sha256  path` per file (like `sha256sum`, sorted by path), progress lines as
// tasks settle, and a summary.
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ThreadPool } from 'crew/threads';
import type { FileHash } from './hash-file.js';

const folder = resolve(process.argv[2] ?? fileURLToPath(new URL('../src', import.meta.url)));

/** Every file under `dir`, found lazily, so hashing starts before the walk ends. */
async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

const pool = new ThreadPool<string, FileHash>(new URL('./hash-file.ts', import.meta.url), {
  threads: 2,
  retries: 1,
});

let done = 0;
let failed = 0;
let bytes = 0;
const progress = (): void => {
  if ((done + failed) % 10 === 0) console.log(`progress: ${done + failed} files`);
};
pool.on('succeeded', ({ value }) => {
  done++;
  bytes += value.bytes;
  progress();
});
pool.on('failed', ({ job, error }) => {
  failed++;
  console.log(`failed: ${relative(folder, job)}: ${String(error)}`);
  progress();
});

const started = performance.now();
const hashes: FileHash[] = [];
for await (const result of pool.map(filesUnder(folder))) if (result.ok) hashes.push(result.value);
await pool.close();

for (const { path, sha256 } of hashes.sort((a, b) => (a.path < b.path ? -1 : 1))) {
  console.log(`${sha256}  ${relative(folder, path)}`);
}
const ms = Math.round(performance.now() - started);
console.log(`hashed ${done} files (${bytes} bytes) in ${ms} ms, ${failed} failed`);
