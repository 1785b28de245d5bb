/**
 * The base images a rewrite takes from the user's config (`baseImages`) must
 * exist before `pare optimize` builds anything. The catalogue defines them
 * because the config says so, but only the engine can say whether the image
 * is there: a config entry the engine neither has nor can pull is the user's
 * mistake, reported as one line naming the config file and the entry (exit 2),
 * not a candidate that "failed to build" and was silently dropped.
 *
 * Builtin catalogue images the engine cannot get are not the user's mistake:
 * that candidate fails to build and the next one is tried, as before.
 */
import { parseImageRef } from '../dockerfile/image-ref.js';
import type { DockerfileModel } from '../dockerfile/types.js';
import type { Engine } from '../engine/engine.js';
import { EngineUnavailableError } from '../engine/errors.js';
import { PareError } from '../util/errors.js';

export interface ConfiguredBase {
  /** Index in the config's `baseImages`. */
  index: number;
  /** The entry's name, as written in the config (and in the rewrite's FROM). */
  name: string;
}

/** `docker.io/library/python:3.12` and `python:3.12` are the same image. */
function canonical(image: string): string {
  const ref = parseImageRef(image, image, false);
  const registry =
    ref.registry && !/^(?:docker\.io|index\.docker\.io)$/.test(ref.registry) ? ref.registry : '';
  const repository = registry ? ref.repository : ref.repository.replace(/^library\//, '');
  return `${registry ? `${registry}/` : ''}${repository}:${ref.tag ?? 'latest'}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** FROM images (not stages, not scratch) of a Dockerfile, canonical. */
function baseImagesOf(model: DockerfileModel): Set<string> {
  const images = new Set<string>();
  for (const stage of model.stages) {
    if (stage.baseStage !== undefined || stage.base.isScratch || stage.base.unresolved) continue;
    images.add(canonical(stage.base.resolved));
  }
  return images;
}

/**
 * The config entries the rewrites use as a base that the original Dockerfile
 * does not (the original's own bases are its build's business: a missing one
 * is the original failing to build). Entries with `*` are patterns, never written
 * into a FROM.
 */
export function configuredBasesUsed(
  baseImages: ReadonlyArray<{ name: string }> | undefined,
  original: DockerfileModel,
  rewrites: readonly DockerfileModel[],
): ConfiguredBase[] {
  if (!baseImages || baseImages.length === 0) return [];
  const own = baseImagesOf(original);
  const used = new Set<string>();
  for (const rewrite of rewrites)
    for (const image of baseImagesOf(rewrite)) if (!own.has(image)) used.add(image);
  const result: ConfiguredBase[] = [];
  const seen = new Set<string>();
  baseImages.forEach((entry, index) => {
    if (entry.name.includes('*')) return;
    const image = canonical(entry.name);
    if (!used.has(image) || seen.has(image)) return;
    seen.add(image);
    result.push({ index, name: entry.name });
  });
  return result;
}

/**
 * Each configured base the rewrites use is in the engine, or pulled now;
 * otherwise a PareError on the config file naming the entry.
 */
export async function requireConfiguredBases(
  engine: Engine,
  bases: readonly ConfiguredBase[],
  configPath: string | undefined,
  options: { signal?: AbortSignal; onStep?: (message: string) => void } = {},
): Promise<void> {
  for (const base of bases) {
    if (await engine.imageExists(base.name)) continue;
    options.onStep?.(`pulling ${base.name} (baseImages[${base.index}] of the config)`);
    try {
      await engine.pull(base.name, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (error instanceof EngineUnavailableError) throw error;
      const reason = error instanceof Error ? error.message.replace(/^`[^`]*` failed: /, '') : String(error);
      throw new PareError(
        `baseImages[${base.index}] "${base.name}": the optimized Dockerfile would build on it, but the container engine at ${engine.host} does not have it and cannot pull it (${reason}); pull or build it first, or remove the entry`,
        { subject: configPath ?? 'config' },
      );
    }
  }
}
