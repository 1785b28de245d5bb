/**
 * Paths inside an image or a container are POSIX whatever the host is, so
 * they go through `node:path`'s `posix` and never the host's `path`. This
 * module holds the one rule several readers share on top of it.
 */
import { posix } from 'node:path';

/**
 * The absolute path `segments` name, resolved from the image root the way a
 * WORKDIR or `cd` resolves it: an absolute segment restarts from it, `.`,
 * `..` and repeated slashes collapse, `..` stops at `/`, and there is no
 * trailing slash. Purely lexical: symlinks are not followed. A path without a
 * leading slash (as tar entries are written) counts from the root.
 */
export function absolutePath(...segments: string[]): string {
  // Most calls join a known directory and a plain relative path, or name an
  // absolute path outright: already in the form resolve would return, so it is
  // returned as joined rather than resolved again (the lint rules call this
  // for every command and COPY).
  const joined = joinFromLastAbsolute(segments);
  if (joined !== undefined && NORMAL_ABSOLUTE.test(joined)) return joined;
  // The leading '/' anchors posix.resolve at the image root instead of the host's cwd.
  return posix.resolve('/', ...segments);
}

/** An absolute path with no empty, `.` or `..` segment and no trailing slash: posix.resolve returns it unchanged. */
const NORMAL_ABSOLUTE = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

/** The segments from the last absolute one on, joined with `/` as resolve reads them; undefined when none is absolute. */
function joinFromLastAbsolute(segments: readonly string[]): string | undefined {
  let start = segments.length - 1;
  while (start >= 0 && !segments[start]!.startsWith('/')) start--;
  if (start < 0) return undefined;
  let joined = segments[start]!;
  for (let i = start + 1; i < segments.length; i++) {
    // resolve skips empty segments.
    if (segments[i] !== '') joined += `/${segments[i]}`;
  }
  return joined;
}
