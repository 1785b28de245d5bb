/**
 * Leftover removal: runs the inspect detectors (analyze/detectors) on the
 * final filesystem and removes what the selected ones match. Detectors run
 * one by one, so a file is removed when any selected detector matches it and
 * its reason is the first such detector in registry order.
 */

import { DETECTORS, type DetectContext, type FileFact, type Removal } from '../analyze/detectors/index.js';
import { KIND_DIRECTORY, KIND_FILE, KIND_SYMLINK } from '../analyze/file-tree.js';
import type { FinalTree } from '../analyze/final-tree.js';
import type { ImageConfig } from '../image/types.js';
import type { RemovedFile } from '../reach/paths.js';
import { PareError } from '../util/errors.js';

/** Removed unless kept, as each detector declares, in registry order. */
export const DEFAULT_REMOVE: readonly string[] = idsWith('default');

/** Removable on request (`--remove`). */
export const OPTIONAL_REMOVE: readonly string[] = idsWith('optional');

/** Detectors whose matches are not whole removable files. */
const NOT_REMOVABLE = new Set(idsWith('never'));

export const CATEGORIES: readonly string[] = [...DEFAULT_REMOVE, ...OPTIONAL_REMOVE];

function idsWith(removal: Removal): string[] {
  return DETECTORS.filter((detector) => detector.removal === removal).map((detector) => detector.id);
}

export function parseCategories(text: string | undefined, subject: string): string[] {
  if (text === undefined || text === '') return [];
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (name === 'all' || name === 'none') continue;
    if (NOT_REMOVABLE.has(name)) {
      throw new PareError(`"${name}" cannot be removed (only reported by inspect)`, { subject });
    }
    if (!CATEGORIES.includes(name)) {
      throw new PareError(`unknown category "${name}" (expected ${CATEGORIES.join(', ')}, all or none)`, {
        subject,
      });
    }
  }
  return names;
}

/** The categories to remove, from `--keep` and `--remove`. */
export function selectCategories(keep: string[], remove: string[]): Set<string> {
  const selected = new Set<string>(DEFAULT_REMOVE);
  if (remove.includes('none') || keep.includes('all')) selected.clear();
  for (const name of remove) {
    if (name === 'all') for (const c of CATEGORIES) selected.add(c);
    else if (name !== 'none') selected.add(name);
  }
  for (const name of keep) if (name !== 'all' && name !== 'none') selected.delete(name);
  return selected;
}

export function detectContextOf(final: FinalTree, config: ImageConfig | undefined): DetectContext {
  const { tree } = final;
  const files: FileFact[] = [];
  const counted = new Set<number>();
  tree.walk((id, path) => {
    const kind = tree.kindOf(id);
    if (kind === KIND_DIRECTORY) return;
    let size = 0;
    if (kind === KIND_FILE) {
      const group = tree.inodeGroupOf(id);
      if (group === undefined || !counted.has(group)) size = tree.sizeOf(id);
      if (group !== undefined) counted.add(group);
    }
    files.push({
      id,
      path,
      size,
      layer: tree.writerOf(id),
      mode: tree.modeOf(id),
      kind: kind === KIND_FILE ? 'file' : kind === KIND_SYMLINK ? 'symlink' : 'other',
    });
  });
  const env: Record<string, string> = {};
  for (const item of config?.config?.Env ?? []) {
    const eq = item.indexOf('=');
    if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return { files, exists: (path) => tree.lookup(path) >= 0, elf: () => undefined, env, config };
}

/** Node ids to remove, each with its reason. */
export function findLeftovers(
  context: DetectContext,
  categories: ReadonlySet<string>,
): Map<number, RemovedFile> {
  const removed = new Map<number, RemovedFile>();
  for (const detector of DETECTORS) {
    if (!categories.has(detector.id) || NOT_REMOVABLE.has(detector.id)) continue;
    for (const result of detector.detect(context)) {
      for (const match of result.matches) {
        // A partial saving (bytes < file) is not a file to delete.
        if (match.bytes !== undefined && match.bytes < match.file.size) continue;
        if (removed.has(match.file.id)) continue;
        removed.set(match.file.id, {
          path: match.file.path,
          size: match.file.size,
          reason: detector.id,
          detail: result.title,
        });
      }
    }
  }
  return removed;
}
