// The handler of examples/hash-files.ts: runs on a worker thread, one file per job.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface FileHash {
  path: string;
  bytes: number;
  sha256: string;
}

export default async function hashFile(
  path: string,
  ctx: { signal: AbortSignal },
): Promise<FileHash> {
  const data = await readFile(path, { signal: ctx.signal });
  return { path, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
}
