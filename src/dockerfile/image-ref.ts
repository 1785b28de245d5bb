import type { ImageRef } from './types.js';

/** Splits `registry/repo:tag@digest` the way Docker's reference grammar does. */
export function parseImageRef(raw: string, resolved: string, unresolved: boolean): ImageRef {
  let rest = resolved.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if ((registry === undefined || registry === 'docker.io') && rest.startsWith('library/'))
    rest = rest.slice(8);
  const repository = rest.toLowerCase();
  return {
    raw,
    resolved,
    repository,
    ...(registry !== undefined ? { registry } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    unresolved,
    isScratch: repository === 'scratch' && registry === undefined,
  };
}
