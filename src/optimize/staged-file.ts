/**
 * A file pare must put into the user's build context before a build can read
 * it (the closure's keep list, which COPY reads from the context), but which
 * stays only if its candidate wins. Until then it is registered for undoing:
 * on discard, on Ctrl-C and on exit the earlier content comes back, or the
 * file goes when there was none.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { processCleanup } from '../engine/cleanup.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface StagedFile {
  path: string;
  /** Keep the new content. */
  commit(): void;
  /** Put back what was there before (nothing once committed). */
  discard(): Promise<void>;
}

export async function stageFile(path: string, text: string): Promise<StagedFile> {
  let previous: Buffer | undefined;
  try {
    previous = readFileSync(path);
  } catch {
    previous = undefined;
  }
  const undo = () => {
    if (previous === undefined) rmSync(path, { force: true });
    else writeFileSync(path, previous);
  };
  const handle = processCleanup.add({
    description: `the file pare put into the build context, ${path}`,
    run: async () => undo(),
    runSync: undo,
  });
  await writeFileAtomic(path, text);
  let settled = false;
  return {
    path,
    commit: () => {
      settled = true;
      handle.release();
    },
    discard: async () => {
      if (settled) return;
      settled = true;
      await handle.runNow();
    },
  };
}
