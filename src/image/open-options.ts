/**
 * What `openImage` takes besides the reference; a module of its own so the
 * source modules it loads lazily can name it without importing open.ts.
 */
import type { Platform } from './types.js';

export interface OpenImageOptions {
  /** `os/arch[/variant]` to pick from an image index (default linux/amd64). */
  platform?: string | Platform;
  signal?: AbortSignal;
  /** Registry sources: the time everything must be read in (`--timeout`), in ms; 0: no limit. */
  timeoutMs?: number;
  /** Registry sources: told of every chunk of blob bytes received, for a progress display. */
  onReceived?: (bytes: number) => void;
  /** Registry sources: plain HTTP for any host (loopback registries always use it). */
  insecure?: boolean;
  /** Registry sources: extra attempts for transient failures (default 3). */
  retries?: number;
}
