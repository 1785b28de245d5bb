import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes via a temporary sibling and rename, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  // Fetched, not imported: commands that only may write a file (lint's --output) then never load crypto.
  const { randomBytes } = process.getBuiltinModule('node:crypto');
  const temp = join(dirname(path), `.${basename(path)}.pare-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
