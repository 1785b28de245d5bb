/**
 * Public shapes of the multi-stage conversion: what the caller passes in
 * (options, an optional view of the build context) and what comes back.
 */

import type { BuildEcosystem } from '../../knowledge/build-ecosystems.js';
import type { ContextFile } from '../../rules/types.js';

/** Ecosystems pare converts to multi-stage builds: those knowledge/build-ecosystems detects. */
export type ConvertibleEcosystem = BuildEcosystem;

/**
 * The build context as the converter sees it: relative `/`-separated paths of
 * the files the builder receives, and (optionally) their text. Reads are
 * synchronous because only a few small manifests are read (go.mod,
 * Cargo.toml, package.json); `loadConversionContext` builds one from a directory.
 */
export interface ConversionContext {
  /** Files (not directories) sent to the builder, relative to the context root. */
  files: readonly string[];
  /** Text of a context file, undefined when absent or unreadable. */
  read?(path: string): string | undefined;
}

export interface ConversionOptions {
  /** The build context; without it pare assumes the usual files exist (go.mod, a lockfile named by the commands). */
  context?: ConversionContext;
  /**
   * Alternatively, the entries of `BuildContext.files()` (ignored ones and
   * directories are skipped) and the directory to read manifests from; used
   * when `context` is absent. Without the directory no file is read, so names
   * from go.mod/Cargo.toml and package.json's start script stay unknown.
   */
  contextFiles?: readonly ContextFile[];
  contextDirectory?: string;
  /**
   * Copy the builder's CA bundle into a scratch final image. Default: true for
   * Go (TLS client use is not knowable from the Dockerfile; it costs ~200 kB),
   * false for C and Rust.
   */
  caCertificates?: boolean;
  /**
   * Embed the time zone database in a Go binary (`-tags timetzdata`).
   * Default: when TZ is set or the context's Go sources call time.LoadLocation.
   */
  zoneinfo?: boolean;
  /** Static binaries: use a distroless static base from the catalogue instead of scratch. */
  preferDistroless?: boolean;
  /** C/C++ and Rust: link statically and run on scratch (default true); false keeps glibc dynamic. */
  staticLinking?: boolean;
  /**
   * C/C++ and Rust with dynamic linking: the shared libraries (absolute paths
   * in the builder, as read from the built binary's DT_NEEDED and its
   * interpreter) to copy into the final image. With the interpreter among
   * them the final image is scratch; otherwise they go onto a glibc base.
   */
  sharedLibraries?: readonly string[];
  /**
   * Java with `java -jar`: instead of a JRE image, jlink a runtime with only the
   * modules jdeps finds in the jar (in the builder, which must be a JDK) and
   * ship it on the smallest glibc base of the same release. Default false.
   */
  jlink?: boolean;
  /** USER for scratch/distroless finals when the original sets none. Default `65532:65532`. */
  user?: string;
  /**
   * The team's `allowedBaseImages`: when non-empty the final stage is built only
   * on a base they allow, and on scratch only when they list `scratch`.
   */
  allowedBases?: readonly string[];
}

export interface ConversionResult {
  /** The complete new Dockerfile. */
  text: string;
  ecosystem: ConvertibleEcosystem;
  /** `convert`: a single-stage Dockerfile became multi-stage; `final-base`: only the final stage changed. */
  mode: 'convert' | 'final-base';
  /** The builder stage's base image as written. */
  builderBase: string;
  /** The final stage's base image as written (`scratch` included). */
  finalBase: string;
  /** Paths copied from the builder into the final image. */
  artifact: string[];
  /** What was done and why, one line each. */
  notes: string[];
  /** What may need a human: behaviour pare could not verify from the Dockerfile. */
  warnings: string[];
}

export type ConversionOutcome =
  | { converted: true; result: ConversionResult }
  | { converted: false; reason: string; ecosystem?: ConvertibleEcosystem };
