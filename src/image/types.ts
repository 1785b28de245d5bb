/**
 * The image model every source implements and every consumer (inspect, slim,
 * optimize, report) reads. Modelled on go-containerregistry's pkg/v1: small,
 * read-only, async. Sources live one per module beside this file.
 */
import type { Readable } from 'node:stream';

export type Digest = `sha256:${string}`;

export type Compression = 'gzip' | 'zstd' | 'none';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** OCI image manifest or Docker schema2 manifest, normalised to the same shape. */
export interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The runtime part of the image config (OCI `config` / Docker `config`). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
  };
  Shell?: string[];
  OnBuild?: string[] | null;
  ArgsEscaped?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

export interface ReadOptions {
  /**
   * Verify digests while streaming (the default). `false` skips hashing; sources
   * may then take faster paths such as seeking over file contents.
   */
  verify?: boolean;
  /** Aborts the read; streams are destroyed with an AbortError. */
  signal?: AbortSignal;
  /** Decompression-bomb guard: fail once a layer inflates past this many bytes (default 1 TiB). */
  maxUncompressedBytes?: number;
  /** Decompression-bomb guard: fail when a layer inflates more than this ratio (default off). */
  maxCompressionRatio?: number;
}

export interface Layer {
  /** Digest of the blob as stored (compressed), as named in the manifest. */
  readonly digest: Digest;
  /** Digest of the uncompressed tar (the config's diff_id). */
  readonly diffId: Digest;
  /** Size in bytes of the stored blob (compressed). */
  readonly size: number;
  readonly mediaType: string;
  readonly compression: Compression;
  /**
   * The stored blob. With verification on, the stream errors with a
   * DigestMismatchError at its end if the bytes do not hash to `digest`.
   */
  compressed(options?: ReadOptions): Promise<Readable>;
  /**
   * The uncompressed tar. With verification on, both the compressed digest and
   * the diff_id are checked while streaming; a mismatch errors the stream.
   */
  uncompressed(options?: ReadOptions): Promise<Readable>;
  /**
   * Where the stored blob lies in a local file, for sources that have one
   * (archives, OCI layouts). Lets `--no-verify` reads of uncompressed layers
   * seek over file contents instead of reading them.
   */
  localBlob?(): LocalBlobRange | undefined;
}

/** A byte range of a local file holding a blob. */
export interface LocalBlobRange {
  path: string;
  offset: number;
  length: number;
  /**
   * The sha256 of exactly this range, computed from the bytes as they were
   * written to the file (a docker-daemon: export): hashLocalRange answers
   * with it instead of reading the range again. The digest is still compared
   * with what the manifest and config name, where every blob's is.
   */
  digestAsWritten?: Digest;
}

export interface Image {
  /** The reference the user gave, e.g. `docker-archive:app.tar`. */
  readonly reference: string;
  manifest(): Promise<Manifest>;
  /** Digest of the config blob: the image ID as `docker images` shows it. */
  configDigest(): Promise<Digest>;
  config(): Promise<ImageConfig>;
  /**
   * The config blob's exact bytes, for sources that hold them: a sink writes
   * them as they are, so the copy keeps the image ID. Without it a sink
   * writes the parsed config again (same contents, another ID).
   */
  rawConfig?(): Promise<Buffer>;
  /** Layers bottom to top, one per manifest layer, aligned with rootfs.diff_ids. */
  layers(): Promise<Layer[]>;
  /** Releases temporary files or connections the source holds. Idempotent. */
  close(): Promise<void>;
}

/** One entry of a layer tar, as read from its header; contents are not buffered. */
export interface TarEntry {
  /** Normalised path: no leading `./` or `/`, no trailing `/`, `..` rejected. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';
  /** Content size in bytes (0 for anything but regular files). */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Target of a symlink or hard link (hard links: normalised path within the layer). */
  linkname?: string;
  /** Device numbers of a char or block device (absent for other types). */
  devmajor?: number;
  devminor?: number;
  /**
   * Extended attributes from pax `SCHILY.xattr.NAME` records, values as raw
   * bytes (e.g. `security.capability`: file capabilities). Absent when none.
   */
  xattrs?: Record<string, Buffer>;
}
