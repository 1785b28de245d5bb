/**
 * IMAGE arguments, skopeo-style: `TRANSPORT:DETAILS`, or a plain registry
 * reference. Pure parsing (no file system access); `openImage` acts on the result.
 *
 *   docker-archive:PATH[:NAME[:TAG]|:@N]   tar from `docker save`
 *   oci:DIR[:REF|:@N]                      OCI image layout directory
 *   oci-archive:PATH[:REF|:@N]             tar of an OCI image layout
 *   docker-daemon:NAME[:TAG|@sha256:…]     image in the local engine
 *   docker-daemon:sha256:<image id>
 *   docker://REF, or just REF              registry (docker.io and library/ by default)
 *
 * As in skopeo, the first `:` after the transport ends the path, so paths
 * containing `:` cannot be given with a selector.
 *
 * Convenience: an argument with no transport that starts with `/`, `./`, `../`
 * or `~/` (never valid registry references) or ends in `.tar` is taken as a
 * local path; `openImage` then decides from the file itself whether it is a
 * docker-archive, an oci-archive or an OCI layout directory. To mean a registry
 * repository whose name ends in `.tar`, write `docker://NAME.tar`.
 */
import { PareError } from '../util/errors.js';
import { isDigest } from './digest.js';
import type { Digest } from './types.js';

/** A registry image name, normalised as Docker does (docker.io, library/ for single names). */
export interface DockerReference {
  /** Registry host[:port]; `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path without the domain, e.g. `library/alpine`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** Which image of a multi-image archive or layout to use. */
export type ImageSelector =
  | { kind: 'name'; name: DockerReference }
  | { kind: 'ref'; ref: string }
  | { kind: 'index'; index: number };

export type ImageReference =
  | { transport: 'docker-archive'; raw: string; path: string; select?: ImageSelector }
  | { transport: 'oci'; raw: string; path: string; select?: ImageSelector }
  | { transport: 'oci-archive'; raw: string; path: string; select?: ImageSelector }
  | { transport: 'docker-daemon'; raw: string; name?: DockerReference; imageId?: Digest }
  | { transport: 'registry'; raw: string; name: DockerReference }
  | { transport: 'path'; raw: string; path: string };

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_NAMESPACE = 'library';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HEX64 = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

function referenceError(text: string, problem: string): PareError {
  return new PareError(`invalid image reference "${text}": ${problem}`, { subject: text });
}

/**
 * Parses `[domain/]path[:tag][@digest]` with Docker's grammar and
 * normalisation. A reference with neither tag nor digest gets no tag here:
 * callers that need one use `withDefaultTag`.
 */
export function parseDockerReference(text: string): DockerReference {
  if (text === '') throw referenceError(text, 'empty');
  let rest = text;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const value = rest.slice(at + 1);
    if (!isDigest(value)) {
      throw referenceError(
        text,
        ANY_DIGEST.test(value) ? `unsupported digest algorithm in "${value}"` : `invalid digest "${value}"`,
      );
    }
    digest = value;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw referenceError(text, `invalid tag "${tag}"`);
  }
  if (rest.length > MAX_NAME_LENGTH)
    throw referenceError(text, `name longer than ${MAX_NAME_LENGTH} characters`);

  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      if (!DOMAIN.test(first)) throw referenceError(text, `invalid registry host "${first}"`);
      domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
      path = rest.slice(slash + 1);
    }
  }
  if (path === '') throw referenceError(text, 'missing repository name');
  if (path !== path.toLowerCase()) throw referenceError(text, 'repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw referenceError(text, `invalid repository name component "${component}"`);
    }
  }
  if (HEX64.test(path) && domain === DEFAULT_DOMAIN) {
    throw referenceError(text, 'a 64-character hexadecimal name is an image ID, not a repository');
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `${OFFICIAL_NAMESPACE}/${path}`;
  const reference: DockerReference = { domain, repository: path };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** `latest` when the reference names neither a tag nor a digest, as docker pull does. */
export function withDefaultTag(reference: DockerReference): DockerReference {
  return reference.tag === undefined && reference.digest === undefined
    ? { ...reference, tag: 'latest' }
    : reference;
}

/** Fully qualified: `docker.io/library/alpine:3.19`. */
export function formatDockerReference(reference: DockerReference): string {
  let text = `${reference.domain}/${reference.repository}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** As `docker images` shows it: `alpine:3.19`, `user/app:1`, `ghcr.io/o/app:1`. */
export function familiarDockerReference(reference: DockerReference): string {
  let name = `${reference.domain}/${reference.repository}`;
  if (reference.domain === DEFAULT_DOMAIN) {
    name = reference.repository.startsWith(`${OFFICIAL_NAMESPACE}/`)
      ? reference.repository.slice(OFFICIAL_NAMESPACE.length + 1)
      : reference.repository;
  }
  if (reference.tag !== undefined) name += `:${reference.tag}`;
  if (reference.digest !== undefined) name += `@${reference.digest}`;
  return name;
}

/** Same image name and tag/digest after normalisation (`alpine` = `docker.io/library/alpine:latest`). */
export function sameDockerReference(a: DockerReference, b: DockerReference): boolean {
  return formatDockerReference(withDefaultTag(a)) === formatDockerReference(withDefaultTag(b));
}

const TRANSPORTS = ['docker-archive', 'oci-archive', 'oci', 'docker-daemon'] as const;

/** Parses an IMAGE argument. Throws a PareError naming the argument when it is malformed. */
export function parseImageReference(text: string): ImageReference {
  const raw = text;
  if (text.trim() !== text || text === '') throw referenceError(text, 'empty or surrounded by spaces');
  if (text.startsWith('docker://')) {
    return {
      transport: 'registry',
      raw,
      name: withDefaultTag(parseDockerReference(text.slice('docker://'.length))),
    };
  }
  for (const transport of TRANSPORTS) {
    if (text.startsWith(`${transport}:`))
      return parseTransport(transport, text.slice(transport.length + 1), raw);
  }
  if (looksLikeLocalPath(text)) return { transport: 'path', raw, path: text };
  return { transport: 'registry', raw, name: withDefaultTag(parseDockerReference(text)) };
}

/** Local paths an image reference reads (none for daemon and registry images, or a malformed one). */
export function localImagePaths(text: string): string[] {
  try {
    const reference = parseImageReference(text);
    return 'path' in reference ? [reference.path] : [];
  } catch {
    return [];
  }
}

function looksLikeLocalPath(text: string): boolean {
  return (
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text.startsWith('~/') ||
    text === '.' ||
    text === '..' ||
    text.toLowerCase().endsWith('.tar')
  );
}

function parseTransport(
  transport: (typeof TRANSPORTS)[number],
  details: string,
  raw: string,
): ImageReference {
  if (transport === 'docker-daemon') return parseDaemon(details, raw);
  const colon = details.indexOf(':');
  const path = colon === -1 ? details : details.slice(0, colon);
  const selector = colon === -1 ? undefined : details.slice(colon + 1);
  if (path === '') throw referenceError(raw, `${transport}: needs a path`);
  const select = selector === undefined ? undefined : parseSelector(transport, selector, raw);
  const base = { raw, path };
  const withSelect = select === undefined ? base : { ...base, select };
  return { transport, ...withSelect };
}

function parseSelector(transport: string, selector: string, raw: string): ImageSelector {
  if (selector === '') throw referenceError(raw, 'empty image name after the path');
  if (selector.startsWith('@')) {
    const index = Number(selector.slice(1));
    if (!/^\d+$/.test(selector.slice(1)) || !Number.isSafeInteger(index)) {
      throw referenceError(raw, `"${selector}" is not an image index (@0, @1, …)`);
    }
    return { kind: 'index', index };
  }
  if (transport === 'docker-archive') {
    const name = parseDockerReference(selector);
    if (name.digest !== undefined)
      throw referenceError(raw, 'docker-archive images are selected by name:tag, not digest');
    return { kind: 'name', name: withDefaultTag(name) };
  }
  // OCI layouts select by the org.opencontainers.image.ref.name annotation, which is free text.
  return { kind: 'ref', ref: selector };
}

function parseDaemon(details: string, raw: string): ImageReference {
  if (details === '') throw referenceError(raw, 'docker-daemon: needs an image name or ID');
  if (isDigest(details)) return { transport: 'docker-daemon', raw, imageId: details };
  if (HEX64.test(details)) return { transport: 'docker-daemon', raw, imageId: `sha256:${details}` };
  return { transport: 'docker-daemon', raw, name: withDefaultTag(parseDockerReference(details)) };
}

/** What `docker-daemon:` hands to `openDaemonImage` in ./docker-daemon.js. */
export type DaemonImageReference = Extract<ImageReference, { transport: 'docker-daemon' }>;
/** What a registry reference hands to `openRegistryImage` in ./registry.js. */
export type RegistryImageReference = Extract<ImageReference, { transport: 'registry' }>;
