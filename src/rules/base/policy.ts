/**
 * The team's allowed base images (`policy.allowed` from config): patterns like
 * `python:3.12-slim`, `gcr.io/distroless/static-debian12`, `corp/node:*-slim`
 * or a bare repository `alpine` (any tag).
 */
import { parseImageRef } from '../../dockerfile/image-ref.js';
import type { ImageRef } from '../../dockerfile/types.js';
import { escapeRegExp } from '../util.js';

function registryOf(registry: string | undefined): string {
  return registry === undefined || registry === 'docker.io' || registry === 'index.docker.io' ? '' : registry;
}

function glob(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(text);
}

/** Whether an image is allowed by one policy pattern. */
function matchesAllowed(image: ImageRef, pattern: string): boolean {
  const allowed = parseImageRef(pattern, pattern, false);
  if (allowed.isScratch || image.isScratch) return allowed.isScratch && image.isScratch;
  if (registryOf(allowed.registry) !== registryOf(image.registry)) return false;
  if (!glob(allowed.repository, image.repository)) return false;
  if (allowed.digest) return allowed.digest === image.digest;
  if (allowed.tag === undefined) return true;
  return glob(allowed.tag, image.tag ?? 'latest');
}

export function isAllowed(image: ImageRef, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => matchesAllowed(image, pattern));
}
