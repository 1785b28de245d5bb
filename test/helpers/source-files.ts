import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.ts` file under a directory, for checks that read pare's own source. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
