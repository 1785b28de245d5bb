/**
 * The detector registry and the step that turns what detectors match into
 * findings: bytes, file counts, the layers holding the bytes and the
 * instruction that wrote most of them. Detectors run in registry order and a
 * file belongs to the first finding that matches it, so savings add up.
 */
import { compiledSources } from './compiled-sources.js';
import { devFiles } from './dev-files.js';
import { docs } from './docs.js';
import { orphanBytecode } from './orphan-bytecode.js';
import { packageCache } from './package-cache.js';
import { packageTests } from './package-tests.js';
import { toolchain } from './toolchain.js';
import type { DetectContext, Detector, DetectSource, FileFact, Finding } from './types.js';
import { unstrippedBinaries } from './unstripped-binaries.js';
import { vcsMetadata } from './vcs-metadata.js';

export type {
  DetectContext,
  Detector,
  DetectorResult,
  DetectSource,
  FileFact,
  Finding,
  Match,
  Removal,
} from './types.js';

export const DETECTORS: readonly Detector[] = [
  packageCache,
  toolchain,
  devFiles,
  docs,
  packageTests,
  vcsMetadata,
  orphanBytecode,
  compiledSources,
  unstrippedBinaries,
];

export interface RunDetectorsOptions {
  detectors?: readonly Detector[];
  /** Instruction of a layer, for attribution. */
  instructionOf?: (layer: number) => string | null;
  /** Paths listed per finding. */
  maxPaths?: number;
}

/**
 * Each detector's context, from one walk of the source: a path is offered to
 * every detector, and a file's fact is made once, only if one wants it.
 */
export function contextsFor(source: DetectSource, detectors: readonly Detector[]): DetectContext[] {
  const lists: FileFact[][] = detectors.map(() => []);
  source.walkFiles((id, path) => {
    const elf = source.elf(id) !== undefined;
    let fact: FileFact | undefined;
    for (let i = 0; i < detectors.length; i++) {
      if (!detectors[i]!.wants(path, elf)) continue;
      fact ??= source.fact(id, path);
      lists[i]!.push(fact);
    }
  });
  const exists = (path: string) => source.exists(path);
  const elf = (id: number) => source.elf(id);
  return lists.map((files) => ({ files, exists, elf, env: source.env, config: source.config }));
}

export function runDetectors(source: DetectSource, options: RunDetectorsOptions = {}): Finding[] {
  const detectors = options.detectors ?? DETECTORS;
  const maxPaths = options.maxPaths ?? 5;
  const contexts = contextsFor(source, detectors);
  const claimed = new Set<number>();
  const findings: Finding[] = [];
  for (const [index, detector] of detectors.entries()) {
    for (const result of detector.detect(contexts[index]!)) {
      const matches = result.matches.filter((m) => !claimed.has(m.file.id));
      if (matches.length === 0) continue;
      let bytes = 0;
      const perLayer = new Map<number, number>();
      for (const m of matches) {
        claimed.add(m.file.id);
        const b = m.bytes ?? m.file.size;
        bytes += b;
        perLayer.set(m.file.layer, (perLayer.get(m.file.layer) ?? 0) + b);
      }
      const layerIndexes = [...perLayer].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([layer]) => layer);
      const paths =
        result.paths ??
        [...matches]
          .sort(
            (a, b) =>
              (b.bytes ?? b.file.size) - (a.bytes ?? a.file.size) || (a.file.path < b.file.path ? -1 : 1),
          )
          .map((m) => m.file.path);
      const finding: Finding = {
        detector: detector.id,
        title: result.title,
        bytes,
        files: matches.length,
        paths: paths.slice(0, maxPaths),
        layerIndexes,
        instruction: options.instructionOf?.(layerIndexes[0]!) ?? null,
        estimated: result.estimated ?? false,
      };
      if (result.hint) finding.hint = result.hint;
      findings.push(finding);
    }
  }
  const key = (f: Finding) => `${f.title}\0${f.paths[0] ?? ''}`;
  return findings.sort((a, b) => b.bytes - a.bytes || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
