/**
 * What Go, C/C++ and Rust conversions share: choosing the final base for a
 * static or a dynamic binary, and writing the final stage (CA bundle, the
 * binary, shared libraries, runtime metadata, a numeric non-root USER and
 * the exec-form command).
 */
import { posix } from 'node:path';
import { classifyImage } from '../../catalog/base-images.js';
import type { DockerfileModel, ImageRef, Instruction, Stage } from '../../dockerfile/types.js';
import { type BaseCandidate, candidatePool, choose, policyAllows, SCRATCH } from './bases.js';
import { copyLine, type StageSpec } from './emit.js';
import {
  carryMetadata,
  releaseOf,
  renderStart,
  type StartCommands,
  unique,
  userSetupRuns,
} from './shared.js';
import type { ConversionOptions } from './types.js';

export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const DEFAULT_USER = '65532:65532';

export interface FinalChoice {
  base: BaseCandidate;
  notes: string[];
  warnings: string[];
}

/**
 * A static binary: scratch, or a distroless static base when preferred and
 * known. A team policy that does not list scratch gets the smallest base it
 * allows (a static binary needs nothing from it).
 */
export function staticBase(original: ImageRef, options: ConversionOptions): FinalChoice | { error: string } {
  const pool = candidatePool(original, { allowed: options.allowedBases });
  const scratchAllowed = policyAllows(options.allowedBases, 'scratch');
  if (options.preferDistroless || !scratchAllowed) {
    const distroless = choose(pool, (c) => c.kind === 'distroless' && c.libc === 'none' && !c.hasShell);
    if (distroless) return { base: distroless, notes: [], warnings: [] };
  }
  if (scratchAllowed) {
    const notes = options.preferDistroless
      ? ['no distroless static base in the catalogue: using scratch']
      : [];
    return { base: SCRATCH, notes, warnings: [] };
  }
  const allowed = choose(pool, (c) => c.kind !== 'toolchain' && c.kind !== 'scratch');
  if (!allowed) {
    return { error: 'no final base for a static binary is allowed' };
  }
  return {
    base: allowed,
    notes: [`scratch is not among the team's allowed bases: the static binary runs on ${allowed.image}`],
    warnings: [],
  };
}

/**
 * A dynamically linked binary: the smallest base with the builder's libc
 * that is not a build image, of the same distribution release when both
 * names say which. With `sharedLibraries` holding the dynamic loader, scratch.
 */
export function dynamicBase(
  builder: ImageRef,
  libc: 'glibc' | 'musl',
  options: ConversionOptions,
  extraFit: (candidate: BaseCandidate) => boolean = () => true,
): FinalChoice | { error: string } {
  const libraries = options.sharedLibraries ?? [];
  const withLoader = libraries.some((path) => /(?:^|\/)ld-(?:linux|musl)[^/]*$/.test(path));
  if (withLoader && policyAllows(options.allowedBases, 'scratch')) {
    return {
      base: SCRATCH,
      notes: [`the binary's shared libraries and loader (${libraries.length} files) copied onto scratch`],
      warnings: [],
    };
  }
  const release = releaseOf(builder.resolved);
  const base = choose(
    candidatePool(builder, { allowed: options.allowedBases }),
    (c) =>
      c.libc === libc &&
      c.kind !== 'toolchain' &&
      c.kind !== 'scratch' &&
      c.linkage !== 'static' &&
      (c.kind !== 'full-distro' || c.ecosystem === 'generic') &&
      releaseFits(release, c) &&
      extraFit(c),
  );
  if (!base) {
    return {
      error: `no ${libc} base smaller than ${builder.resolved} in the catalogue for a dynamically linked binary${release ? ` of ${release}` : ''}`,
    };
  }
  const warnings: string[] = [];
  if (!release || !releaseOf(base.resolved)) {
    warnings.push(
      `${base.image} is assumed to carry a ${libc} at least as new as ${builder.resolved}'s; pare optimize runs the result to check`,
    );
  }
  if (libraries.length === 0) {
    warnings.push(
      `libraries beyond ${libc} and libgcc/libstdc++ are not copied: pass sharedLibraries (from the built binary's DT_NEEDED) to copy exactly what it needs`,
    );
  }
  return { base, notes: [], warnings };
}

export function releaseFits(release: string | undefined, candidate: BaseCandidate): boolean {
  if (release === undefined) return true;
  const other = releaseOf(candidate.resolved);
  return other === undefined || other === release;
}

export interface NativeFinalInput {
  model: DockerfileModel;
  /** The stages whose metadata is carried (the original final image's chain). */
  stages: readonly Stage[];
  start: StartCommands;
  builder: string;
  /** Where the build leaves the binary in the builder (may be a glob matching one file). */
  builderPath: string;
  /** Where the binary goes in the final image. */
  finalPath: string;
  /** Whether a start word names the binary (resolved against the final WORKDIR). */
  isArtifact(word: string): boolean;
  base: BaseCandidate;
  options: ConversionOptions;
  caCertificates: boolean;
  /** ENV keys that only configure the build. */
  dropEnv?: (key: string) => boolean;
}

export interface NativeFinal {
  stage: StageSpec;
  artifact: string[];
  notes: string[];
  warnings: string[];
}

export function nativeFinalStage(input: NativeFinalInput): NativeFinal | { error: string } {
  const { model, base, options } = input;
  const notes: string[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  const artifact: string[] = [];
  const noShell = !base.hasShell;
  const hasCaBundle = base.kind !== 'scratch';

  if (input.caCertificates && !hasCaBundle) {
    lines.push(copyLine({ from: input.builder, sources: [CA_BUNDLE], destination: '/etc/ssl/certs/' }));
    artifact.push(CA_BUNDLE);
    notes.push('CA certificates copied from the builder (~200 kB) for TLS clients');
  }
  const dropEnv = (key: string) =>
    (input.dropEnv?.(key) ?? false) || (base.kind === 'scratch' && key === 'PATH');
  const carried = carryMetadata(model, input.stages, dropEnv);
  lines.push(...carried.lines);
  notes.push(...carried.notes);

  lines.push(copyLine({ from: input.builder, sources: [input.builderPath], destination: input.finalPath }));
  artifact.push(input.builderPath);
  for (const [directory, files] of groupByDirectory(options.sharedLibraries ?? [])) {
    lines.push(copyLine({ from: input.builder, sources: files, destination: `${directory}/` }));
    artifact.push(...files);
  }
  if ((options.sharedLibraries ?? []).length > 0) {
    notes.push(
      `shared libraries copied from the builder: ${(options.sharedLibraries ?? []).map((path) => posix.basename(path)).join(', ')}`,
    );
  }

  const user = userLine(carried.user, noShell, options.user ?? DEFAULT_USER);
  notes.push(...user.notes);
  warnings.push(...user.warnings);
  // A named user created by the original must exist in a final base that has users.
  if (!noShell && carried.user && user.lines[0] === carried.user.source)
    lines.push(...userSetupRuns(model, input.stages));

  const start = renderStart(model, input.start, (words) => {
    const [program, ...rest] = words;
    return program !== undefined && input.isArtifact(program) ? [input.finalPath, ...rest] : words;
  });
  if ('error' in start) return start;
  const lead = input.start.entrypoint ?? input.start.cmd;
  const program = lead?.words?.[0];
  if (program === undefined || !input.isArtifact(program)) {
    return {
      error: `${lead?.instruction.keyword ?? 'CMD'} runs ${JSON.stringify(program ?? '')}, not the binary the build writes (${input.builderPath})`,
    };
  }
  lines.push(...user.lines, ...start.lines);
  notes.push(...start.notes);
  if (carried.healthcheck && noShell) {
    const words = healthcheckWords(carried.healthcheck);
    if (!words?.[0] || !input.isArtifact(words[0]))
      warnings.push(healthcheckWarning(carried.healthcheck, base.image));
  }

  return {
    stage: { from: base.image, ...finalPlatform(input.stages), lines },
    artifact,
    notes,
    warnings,
  };
}

function groupByDirectory(paths: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const path of unique(paths)) {
    const directory = posix.dirname(path);
    groups.set(directory, [...(groups.get(directory) ?? []), path]);
  }
  return groups;
}

/**
 * The USER of the final stage: the original's when numeric (or when the base
 * has users), else a numeric non-root one (scratch has no /etc/passwd).
 */
function userLine(
  original: Instruction | undefined,
  noPasswd: boolean,
  fallback: string,
): { lines: string[]; notes: string[]; warnings: string[] } {
  if (!original) {
    return { lines: [`USER ${fallback}`], notes: [`runs as the non-root user ${fallback}`], warnings: [] };
  }
  const value = 'args' in original ? ((original.args as string[])[0] ?? '') : '';
  if (/^\d+(?::\d+)?$/.test(value) || !noPasswd) return { lines: [original.source], notes: [], warnings: [] };
  return {
    lines: [`USER ${fallback}`],
    notes: [],
    warnings: [
      `USER ${value} replaced by ${fallback}: the final image has no /etc/passwd to resolve a name; files the app writes must be writable by that uid`,
    ],
  };
}

/** `HEALTHCHECK … CMD ["a", "b"]`: the exec-form words; undefined for the shell form or NONE. */
function healthcheckWords(instruction: Instruction): string[] | undefined {
  const json = /\bCMD\s+(\[[\s\S]*\])\s*$/.exec(instruction.source)?.[1];
  if (!json) return undefined;
  try {
    const words: unknown = JSON.parse(json);
    return Array.isArray(words) && words.every((word) => typeof word === 'string') ? words : undefined;
  } catch {
    return undefined;
  }
}

/** The original's --platform for the final stage, unless it names the build platform. */
export function finalPlatform(stages: readonly Stage[]): { platform?: string } {
  const platform = stages[0]?.from.platform;
  return platform && !platform.includes('BUILDPLATFORM') ? { platform } : {};
}

export function healthcheckWarning(instruction: Instruction, image: string): string {
  return `HEALTHCHECK on line ${instruction.range.start.line + 1} is carried over, but ${image} has no shell or tools: it only works if it runs the app's own binary in exec form`;
}

/** libc of an image according to the catalogue. */
export function libcOf(image: ImageRef): 'glibc' | 'musl' | 'none' | undefined {
  if (image.isScratch) return 'none';
  return classifyImage(image)?.entry.libc;
}
