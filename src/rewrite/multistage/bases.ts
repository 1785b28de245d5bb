/**
 * Picking the final stage's base. pare never invents an image: candidates are
 * the user's config entries with a concrete name, the smaller alternatives
 * the catalogue names for the original base (written for its tag), the
 * original base itself, and scratch. Config entries win over builtin ones
 * when both fit; then the smallest wins.
 */
import {
  activeCatalogue,
  alternativeImage,
  type BaseImageEntry,
  type BaseImageKind,
  classifyImage,
  type Ecosystem,
  type Libc,
  type Linkage,
  type PackageManager,
  tagInfo,
} from '../../catalog/base-images.js';
import { parseImageRef } from '../../dockerfile/image-ref.js';
import type { ImageRef } from '../../dockerfile/types.js';
import { isAllowed } from '../../rules/base/policy.js';

export interface BaseCandidate {
  /** The image as it will be written in FROM (variables of the original kept when the name follows its tag). */
  image: string;
  /** The same without variables, for classification and version checks. */
  resolved: string;
  kind: BaseImageKind;
  ecosystem: Ecosystem;
  libc: Libc;
  hasShell: boolean;
  packageManager: PackageManager;
  /** Approximate uncompressed bytes (catalogue figure). */
  size: number;
  source: 'config' | 'builtin' | 'original';
  /** For native binaries: only for binaries linked this way. */
  linkage?: Linkage;
}

export const SCRATCH: BaseCandidate = {
  image: 'scratch',
  resolved: 'scratch',
  kind: 'scratch',
  ecosystem: 'generic',
  libc: 'none',
  hasShell: false,
  packageManager: 'none',
  size: 0,
  source: 'builtin',
  linkage: 'static',
};

/** Config entries whose name is a concrete image (no `*` in it). */
function configCandidates(): BaseCandidate[] {
  const result: BaseCandidate[] = [];
  for (const entry of activeCatalogue().entries) {
    if (entry.source !== 'config' || entry.sizeOf.includes('*')) continue;
    result.push(fromEntry(entry, entry.sizeOf, entry.sizeOf, 'config'));
  }
  return result;
}

/**
 * The catalogue's alternatives for the original base, named for its tag. When
 * the original's tag holds a variable (`python:${PY}`) and the alternative is
 * derived from the tag, the variable is kept (`python:${PY}-slim`).
 */
function alternativeCandidates(original: ImageRef): BaseCandidate[] {
  const match = classifyImage(original);
  if (!match) return [];
  const rawTag = parseImageRef(original.raw, original.raw, true).tag;
  const result: BaseCandidate[] = [];
  for (const alt of match.entry.smallerAlternatives) {
    const resolved = alternativeImage(alt, match.tag);
    if (/[<>]/.test(resolved) || resolved === 'scratch') continue;
    let image = resolved;
    if (rawTag?.includes('$') && typeof alt.image === 'function') {
      const written = alt.image(
        tagInfo(rawTag, match.tag.java !== undefined && match.entry.ecosystem === 'java'),
      );
      if (written.includes('$') && !/[<>]/.test(written)) image = written;
    }
    const entry = classifyImage(resolved)?.entry;
    result.push({
      image,
      resolved,
      kind: alt.kind,
      ecosystem: entry?.ecosystem ?? 'generic',
      libc: alt.libc,
      hasShell: alt.hasShell,
      packageManager: entry?.packageManager ?? 'none',
      size: alt.approxSize,
      source: entry?.source === 'config' ? 'config' : 'builtin',
      ...(alt.linkage ? { linkage: alt.linkage } : {}),
    });
  }
  return result;
}

/** The original base as a candidate (when it is already a runtime image, the final stage may keep it). */
export function originalCandidate(original: ImageRef): BaseCandidate | undefined {
  const match = classifyImage(original);
  if (!match || original.isScratch) return undefined;
  return fromEntry(match.entry, original.raw, original.resolved, 'original');
}

/**
 * The original base kept as the final stage's when no smaller runtime fits:
 * its catalogue facts, or for an image the catalogue does not know a full
 * distribution with a shell and apt.
 */
export function keptOriginal(
  original: ImageRef,
  ecosystem: Ecosystem,
  libc: Libc | undefined,
): BaseCandidate {
  return (
    originalCandidate(original) ?? {
      image: original.raw,
      resolved: original.resolved,
      kind: 'full-distro',
      ecosystem,
      libc: libc ?? 'glibc',
      hasShell: true,
      packageManager: 'apt',
      size: 0,
      source: 'original',
    }
  );
}

/** A catalogue entry as a candidate, written as `image`. */
function fromEntry(
  entry: BaseImageEntry,
  image: string,
  resolved: string,
  source: BaseCandidate['source'],
): BaseCandidate {
  return {
    image,
    resolved,
    kind: entry.kind,
    ecosystem: entry.ecosystem,
    libc: entry.libc,
    hasShell: entry.hasShell,
    packageManager: entry.packageManager,
    size: entry.approxSize,
    source,
  };
}

/**
 * Every image the final stage may use, for an original base: with a team
 * policy (`allowed`, non-empty) only the images it allows.
 */
export function candidatePool(
  original: ImageRef,
  options: { includeOriginal?: boolean; allowed?: readonly string[] | undefined } = {},
): BaseCandidate[] {
  const seen = new Set<string>();
  const result: BaseCandidate[] = [];
  const own = options.includeOriginal ? originalCandidate(original) : undefined;
  for (const candidate of [
    ...configCandidates(),
    ...(own ? [own] : []),
    ...alternativeCandidates(original),
  ]) {
    const key = candidate.resolved.replace(/^docker\.io\/(?:library\/)?/, '');
    if (seen.has(key) || !policyAllows(options.allowed, candidate.resolved)) continue;
    seen.add(key);
    result.push(candidate);
  }
  return result;
}

/** Whether a team policy (empty or absent: none) lets a final stage use `image` (`scratch` included). */
export function policyAllows(allowed: readonly string[] | undefined, image: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  return isAllowed(parseImageRef(image, image, false), allowed);
}

const RANK: Record<BaseCandidate['source'], number> = { config: 0, original: 1, builtin: 1 };

/** The best candidate that fits: config entries first, then the smallest. */
export function choose(
  pool: readonly BaseCandidate[],
  fits: (candidate: BaseCandidate) => boolean,
): BaseCandidate | undefined {
  return pool
    .filter(fits)
    .sort((a, b) => RANK[a.source] - RANK[b.source] || a.size - b.size || a.image.localeCompare(b.image))[0];
}

/** Kinds that are runtimes, not build images. */
export function isRuntimeKind(kind: BaseImageKind): boolean {
  return (
    kind === 'runtime' || kind === 'slim' || kind === 'alpine' || kind === 'distroless' || kind === 'scratch'
  );
}

/** Whether a base is heavy for a final image: a toolchain, or a full image when a smaller variant exists. */
export function isHeavyBase(image: ImageRef): boolean {
  if (image.isScratch) return false;
  const match = classifyImage(image);
  if (!match) return false;
  const { entry } = match;
  if (entry.kind === 'toolchain') return true;
  return entry.kind === 'full-distro';
}

// ---- versions named by images --------------------------------------------------------

function lastSegment(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1);
}

/** Python major.minor an image name promises: `python:3.12-slim` → 3.12, distroless python3-debian12 → 3.11. */
export function pythonVersionOf(image: string): string | undefined {
  const ref = parseImageRef(image, image, false);
  if (/^distroless\/python3/.test(ref.repository)) {
    const debian = /debian(\d+)/.exec(ref.repository)?.[1];
    return debian === '12' ? '3.11' : debian === '11' ? '3.9' : undefined;
  }
  const info = tagInfo(ref.tag);
  return /^\d+\.\d+/.exec(info.version)?.[0] ?? (/^\d+$/.test(info.version) ? info.version : undefined);
}

/** Node major (or alias such as `lts`) an image name promises. */
export function nodeVersionOf(image: string): string | undefined {
  const ref = parseImageRef(image, image, false);
  const distroless = /^distroless\/nodejs(\d+)/.exec(ref.repository);
  if (distroless) return distroless[1];
  const version = tagInfo(ref.tag).version;
  if (version === '') return undefined;
  return /^\d+/.exec(version)?.[0] ?? version;
}

/** Java feature release an image name promises: `eclipse-temurin:17-jre` → 17. */
export function javaVersionOf(image: string): string | undefined {
  const ref = parseImageRef(image, image, false);
  const distroless = /^distroless\/java(\d+)/.exec(ref.repository);
  if (distroless) return distroless[1];
  const match = classifyImage(image);
  if (match?.entry.ecosystem === 'java' && match.entry.source === 'builtin') return match.tag.java;
  return tagInfo(ref.tag, true).java;
}

/** A runtime fits the builder's version when the builder's is unknown, else when it names the same one. */
export function versionsFit(builder: string | undefined, candidate: string | undefined): boolean {
  if (builder === undefined) return true;
  return candidate === builder;
}

export function isDistrolessNode(image: string): boolean {
  return /^distroless\/nodejs/.test(parseImageRef(image, image, false).repository);
}

export function repositoryOf(image: string): string {
  return lastSegment(parseImageRef(image, image, false).repository);
}
