/**
 * The shapes in which reachability speaks about paths: a path removed (with
 * the reason it can go) and a path kept (with the reason it stays). Slim's
 * leftovers use the same shape for what their detectors remove.
 */

export interface RemovedFile {
  path: string;
  /** Bytes the file added (a hard-linked inode counts on its first name only). */
  size: number;
  /** Detector id, or `unreachable`. */
  reason: string;
  /** Detector result title, e.g. "man pages". */
  detail: string;
}

export interface ReportedPath {
  /** Absolute path in the image, e.g. `/usr/lib/x86_64-linux-gnu/libssl.so.3`. */
  path: string;
  /** Bytes of file content (a hard-linked inode counts on its first name only; 0 for links and directories). */
  size: number;
  /** Machine-readable reason: a leftover category (`docs`…), `unreachable`, or why a path was kept (`entrypoint`, `elf-needed`, `traced`…). */
  reason: string;
  /** Human words for the reason, e.g. "man pages" or "DT_NEEDED of /usr/bin/python3.11". */
  detail?: string;
}

export interface ReasonTally {
  files: number;
  bytes: number;
}
