/**
 * Leftover removal: runs the inspect detectors (analyze/detectors) on the
 * final filesystem and removes what the selected ones match. Detectors run
 * one by one, so a file is removed when any selected detector matches it and
 * its reason is the first such detector in registry order.
 */

import { treeDetectSource } from '../analyze/detect-source.js';
import { contextsFor, DETECTORS, type DetectSource, type Removal } from '../analyze/detectors/index.js';
import type { FinalTree } from '../analyze/final-tree.js';
import { SizeIndex } from '../analyze/top-paths.js';
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

/** The detectors' view of the final filesystem (slim reads no ELF facts). */
export function detectSourceOf(final: FinalTree, config: ImageConfig | undefined): DetectSource {
  return treeDetectSource(final.tree, new SizeIndex(final.tree), config);
}

/** Node ids to remove, each with its reason (sizes: settleHardLinkSizes once every removal is known). */
export function findLeftovers(
  final: FinalTree,
  config: ImageConfig | undefined,
  categories: ReadonlySet<string>,
): Map<number, RemovedFile> {
  const removed = new Map<number, RemovedFile>();
  const selected = DETECTORS.filter(
    (detector) => categories.has(detector.id) && !NOT_REMOVABLE.has(detector.id),
  );
  const contexts = contextsFor(detectSourceOf(final, config), selected);
  for (const [index, detector] of selected.entries()) {
    for (const result of detector.detect(contexts[index]!)) {
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
