import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every `.ts` file under a directory, for checks that read pare's own source. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every Dockerfile under test/fixtures (the labelled corpus included), sorted. */
export function fixtureDockerfiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return /^(Dockerfile|Containerfile)/.test(entry.name) ? [path] : [];
    });
  return walk(fileURLToPath(new URL('../fixtures/', import.meta.url))).sort();
}
