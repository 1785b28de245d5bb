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
  // The leading '/' anchors posix.resolve at the image root instead of the host's cwd.
  return posix.resolve('/', ...segments);
}
