/**
 * The base image catalogue: what pare knows about common base images — what
 * kind of image each variant is, its libc, whether it has a shell and a
 * package manager, its approximate size, and the smaller images that can run
 * the same artifact. Rules use it to judge a FROM line; the fixer uses it to
 * pick a replacement base.
 *
 * SIZES ARE APPROXIMATE. They are the uncompressed linux/amd64 sizes that
 * `docker images` shows after pulling (the same figure Docker Hub's tag pages
 * expand to), rounded, for the tags named in `sizeOf` as published around
 * 2024-06 (golang 1.22, rust 1.78, python 3.12, node 20, Java 21, .NET 8,
 * Debian 12, Ubuntu 24.04, Alpine 3.20). Other tags of the same variant are
 * assumed to be about as big. Every message that prints one says "~" and
 * every saving built from them says "approximate".
 */
import { parseImageRef } from '../dockerfile/image-ref.js';
import type { ImageRef } from '../dockerfile/types.js';

export type BaseImageKind =
  | 'toolchain'
  | 'full-distro'
  | 'slim'
  | 'alpine'
  | 'distroless'
  | 'scratch'
  | 'runtime';
export type Ecosystem =
  | 'go'
  | 'rust'
  | 'c'
  | 'java'
  | 'node'
  | 'python'
  | 'ruby'
  | 'php'
  | 'dotnet'
  | 'generic';
export type Libc = 'glibc' | 'musl' | 'none';
export type PackageManager = 'apt' | 'apk' | 'dnf' | 'microdnf' | 'yum' | 'none';

/** How a native binary is linked: which alternatives can run it. */
export type Linkage = 'static' | 'dynamic';

/** What the matched tag says, used to fill in alternative image names. */
export interface TagInfo {
  /** The tag as written, `latest` when absent. */
  tag: string;
  /** Leading version (or alias such as `lts`) of the tag: `3.12` in `3.12-slim-bookworm`; '' when none. */
  version: string;
  /** Java feature release named in the tag (`21` in `3.9-eclipse-temurin-21`), when there is one. */
  java?: string;
}

export interface SmallerAlternative {
  /** Image reference to suggest, or a function of the matched tag (`python:3.12` → `python:3.12-slim`). */
  image: string | ((tag: TagInfo) => string);
  /** Approximate uncompressed size in bytes. */
  approxSize: number;
  kind: BaseImageKind;
  libc: Libc;
  hasShell: boolean;
  /** For native binaries: only suggest this image for binaries linked this way. */
  linkage?: Linkage;
  /** Short caveat printed with the suggestion. */
  note?: string;
}

export interface BaseImageEntry {
  /** Repository as in `ImageRef.repository` (no registry, no tag), e.g. `python`, `dotnet/sdk`. */
  name: string;
  /** A family of repositories matched as one entry (e.g. `distroless/nodejs20-debian12`). */
  namePattern?: RegExp;
  /** Where the image is published, when not Docker Hub (informational; matching ignores registries). */
  registry?: string;
  /** Variant id: `full`, `slim`, `alpine`, `jdk`, `jre`, `chiseled`, `debug`, … */
  variant: string;
  /** Tags this entry covers (the tag is `latest` when absent); absent = every tag. */
  tags?: RegExp;
  kind: BaseImageKind;
  ecosystem: Ecosystem;
  /** Approximate uncompressed size in bytes (see the header for the basis). */
  approxSize: number;
  /** The tag the size was taken from, for messages and savings' basis. */
  sizeOf: string;
  libc: Libc;
  hasShell: boolean;
  packageManager: PackageManager;
  /** Smaller images for the same artifact, best first. */
  smallerAlternatives: SmallerAlternative[];
  /** ENV the image sets that changes what commands do (GOPATH, PIP_NO_CACHE_DIR…), as far as known. */
  env?: Readonly<Record<string, string>>;
  /** The image's WORKDIR, when it sets one (else `/`, as for nearly every image). */
  workdir?: string | ((tag: TagInfo) => string);
  /** What the image is, for messages, when its ecosystem does not say it (`the Anaconda distribution…`). */
  describes?: string;
  /** Built in, or added from the user's config. */
  source: 'builtin' | 'config';
}

export interface BaseImageMatch {
  entry: BaseImageEntry;
  variant: string;
  tag: TagInfo;
}

/** An entry as a user writes it in config (already validated by the config loader). */
export interface UserBaseImageEntry {
  /** Image name, optionally with registry and tag: `registry.corp/base/java:17-jre`, `corp/node:*-slim`. */
  name: string;
  /** Approximate uncompressed size in bytes. */
  size: number;
  libc: Libc;
  hasShell: boolean;
  packageManager: PackageManager;
  kind?: BaseImageKind;
  ecosystem?: Ecosystem;
  /** ENV the image sets (so rules know, e.g., that PIP_NO_CACHE_DIR is already on). */
  env?: Record<string, string>;
}

const MB = 1_000_000;
const GB = 1_000_000_000;

// ---- tag helpers -----------------------------------------------------------

const VARIANT_WORDS =
  /^(?:alpine[\d.]*|slim|bookworm|bullseye|buster|stretch|trixie|jammy|noble|focal|jdk|jre|full|onbuild|windowsservercore.*|nanoserver.*|latest|stable|minimal|curl|scm|cli|fpm|apache|zts)$/;

/**
 * Reads a tag. `leadingIsJava`: the tag starts with the Java release
 * (`eclipse-temurin:21-jre`), not with a tool's own version (`maven:3.9-…`).
 */
export function tagInfo(tag: string | undefined, leadingIsJava = false): TagInfo {
  const text = tag ?? 'latest';
  const first = text.split('-')[0] ?? '';
  const version = /^\d/.test(first) || !VARIANT_WORDS.test(first) ? first : '';
  const java = javaVersion(text, leadingIsJava);
  return { tag: text, version, ...(java ? { java } : {}) };
}

/** Java feature release in a JDK/JRE/Maven/Gradle tag: `21-jre` → 21, `8u402-b06-jdk` → 8, `3-eclipse-temurin-17` → 17. */
function javaVersion(tag: string, leadingIsJava: boolean): string | undefined {
  const named =
    /(?:temurin|openjdk|corretto|jdk|jre|graalvm|sapmachine|semeru|zulu|liberica|java)-?(\d{1,2})(?:\b|u|\.)/.exec(
      tag,
    );
  if (named) return named[1];
  if (!leadingIsJava) return undefined;
  const leading = /^(\d{1,2})(?:u\d+|[._-]|$)/.exec(tag);
  return leading ? leading[1] : undefined;
}

/** `8.0.100-bookworm-slim` → `8.0` (SDK patch versions are not runtime versions). */
function majorMinor(version: string): string {
  return /^\d+\.\d+/.exec(version)?.[0] ?? '8.0';
}

/** `python:3.12` → `3.12-`; `python:latest` → ''. */
function vdash(info: TagInfo): string {
  return info.version ? `${info.version}-` : '';
}

function javaOr(info: TagInfo): string {
  return info.java ?? '<java-version>';
}

function debianCodename(tag: string): string {
  const match = /(bookworm|bullseye|buster|trixie)/.exec(tag);
  return match ? match[1]! : 'bookworm';
}

// ---- environment the official images set --------------------------------------

const GOLANG_ENV = { GOPATH: '/go' };
const RUST_ENV = { CARGO_HOME: '/usr/local/cargo', RUSTUP_HOME: '/usr/local/rustup' };
const MAVEN_ENV = { MAVEN_CONFIG: '/root/.m2' };
/** The php images' server variants (apache, fpm) work in the document root. */
const phpWorkdir = (tag: TagInfo) => (/apache|fpm/.test(tag.tag) ? '/var/www/html' : '/');
const RUBY_ENV = { GEM_HOME: '/usr/local/bundle', BUNDLE_APP_CONFIG: '/usr/local/bundle' };

// ---- alternatives shared by many entries -----------------------------------

const SCRATCH_ALT: SmallerAlternative = {
  image: 'scratch',
  approxSize: 0,
  kind: 'scratch',
  libc: 'none',
  hasShell: false,
  linkage: 'static',
  note: 'static binary only; add CA certificates and tzdata by COPY if the app needs them',
};
const DISTROLESS_STATIC_ALT: SmallerAlternative = {
  image: 'gcr.io/distroless/static-debian12',
  approxSize: 2 * MB,
  kind: 'distroless',
  libc: 'none',
  hasShell: false,
  linkage: 'static',
  note: 'static binary; has CA certificates, tzdata and a nonroot user',
};
const DISTROLESS_BASE_ALT: SmallerAlternative = {
  image: 'gcr.io/distroless/base-debian12',
  approxSize: 21 * MB,
  kind: 'distroless',
  libc: 'glibc',
  hasShell: false,
  linkage: 'dynamic',
  note: 'glibc and OpenSSL, no shell',
};
const DISTROLESS_CC_ALT: SmallerAlternative = {
  image: 'gcr.io/distroless/cc-debian12',
  approxSize: 24 * MB,
  kind: 'distroless',
  libc: 'glibc',
  hasShell: false,
  linkage: 'dynamic',
  note: 'glibc and libgcc/libstdc++, no shell',
};
const DEBIAN_SLIM_ALT: SmallerAlternative = {
  image: 'debian:12-slim',
  approxSize: 74 * MB,
  kind: 'slim',
  libc: 'glibc',
  hasShell: true,
  linkage: 'dynamic',
  note: 'glibc with a shell and apt',
};
const ALPINE_ALT: SmallerAlternative = {
  image: 'alpine:3.20',
  approxSize: 7.8 * MB,
  kind: 'alpine',
  libc: 'musl',
  hasShell: true,
  linkage: 'static',
  note: 'musl libc: glibc-linked binaries do not run',
};

/** For C, C++ and Rust binaries: dynamic ones need libgcc_s/libstdc++, which distroless/base lacks. */
const NATIVE_ALTERNATIVES = [
  DISTROLESS_STATIC_ALT,
  SCRATCH_ALT,
  ALPINE_ALT,
  DISTROLESS_CC_ALT,
  DEBIAN_SLIM_ALT,
];
/** For Go binaries: a cgo binary needs only glibc (and maybe OpenSSL). */
const GO_ALTERNATIVES = [
  DISTROLESS_STATIC_ALT,
  SCRATCH_ALT,
  ALPINE_ALT,
  DISTROLESS_BASE_ALT,
  DISTROLESS_CC_ALT,
  DEBIAN_SLIM_ALT,
];

function jreAlternatives(): SmallerAlternative[] {
  return [
    {
      image: (t) => `eclipse-temurin:${javaOr(t)}-jre`,
      approxSize: 265 * MB,
      kind: 'runtime',
      libc: 'glibc',
      hasShell: true,
      note: 'JRE of the same Java release',
    },
    {
      image: (t) => `eclipse-temurin:${javaOr(t)}-jre-alpine`,
      approxSize: 185 * MB,
      kind: 'alpine',
      libc: 'musl',
      hasShell: true,
    },
    {
      image: (t) =>
        t.java === '11' ? 'gcr.io/distroless/java11-debian11' : `gcr.io/distroless/java${javaOr(t)}-debian12`,
      approxSize: 225 * MB,
      kind: 'distroless',
      libc: 'glibc',
      hasShell: false,
    },
  ];
}

// ---- the builtin entries -----------------------------------------------------

/** The deprecated `java` repository (OpenJDK 8 on Debian jessie / Alpine 3.x): still in old Dockerfiles. */
function legacyJavaEntries(): BaseImageEntry[] {
  const common = { name: 'java', ecosystem: 'java' as const, hasShell: true };
  return [
    builtin({
      ...common,
      variant: 'jre-alpine',
      tags: /jre.*alpine|alpine.*jre/,
      kind: 'alpine',
      approxSize: 108 * MB,
      sizeOf: 'java:8-jre-alpine',
      libc: 'musl',
      packageManager: 'apk',
      smallerAlternatives: [],
    }),
    builtin({
      ...common,
      variant: 'jre',
      tags: /jre/,
      kind: 'runtime',
      approxSize: 311 * MB,
      sizeOf: 'java:8-jre',
      libc: 'glibc',
      packageManager: 'apt',
      smallerAlternatives: jreAlternatives().filter((alt) => alt.approxSize < 311 * MB),
    }),
    builtin({
      ...common,
      variant: 'jdk-alpine',
      tags: /alpine/,
      kind: 'toolchain',
      approxSize: 145 * MB,
      sizeOf: 'java:8-jdk-alpine',
      libc: 'musl',
      packageManager: 'apk',
      smallerAlternatives: jreAlternatives().filter((alt) => alt.approxSize < 145 * MB),
    }),
    builtin({
      ...common,
      variant: 'jdk',
      kind: 'toolchain',
      approxSize: 643 * MB,
      sizeOf: 'java:8',
      libc: 'glibc',
      packageManager: 'apt',
      smallerAlternatives: jreAlternatives(),
    }),
  ];
}

/** rustlang/rust: the nightly toolchain images (`nightly`, `nightly-slim`, `nightly-alpine`). */
function nightlyRustEntries(): BaseImageEntry[] {
  const common = {
    name: 'rustlang/rust',
    kind: 'toolchain' as const,
    ecosystem: 'rust' as const,
    hasShell: true,
    smallerAlternatives: NATIVE_ALTERNATIVES,
    env: RUST_ENV,
  };
  return [
    builtin({
      ...common,
      variant: 'alpine',
      tags: ALPINE_TAG,
      approxSize: 720 * MB,
      sizeOf: 'rustlang/rust:nightly-alpine',
      libc: 'musl',
      packageManager: 'apk',
    }),
    builtin({
      ...common,
      variant: 'slim',
      tags: SLIM_TAG,
      approxSize: 780 * MB,
      sizeOf: 'rustlang/rust:nightly-slim',
      libc: 'glibc',
      packageManager: 'apt',
    }),
    builtin({
      ...common,
      variant: 'full',
      approxSize: 1.45 * GB,
      sizeOf: 'rustlang/rust:nightly',
      libc: 'glibc',
      packageManager: 'apt',
    }),
  ];
}

/** continuumio's conda images: Anaconda (Python with ~1,500 packages) and Miniconda (conda alone). */
function condaEntries(): BaseImageEntry[] {
  const miniconda: SmallerAlternative = {
    image: 'continuumio/miniconda3',
    approxSize: 470 * MB,
    kind: 'runtime',
    libc: 'glibc',
    hasShell: true,
    note: 'conda alone: install the packages the app imports',
  };
  return [
    builtin({
      name: 'continuumio/anaconda3',
      variant: 'full',
      kind: 'full-distro',
      ecosystem: 'python',
      approxSize: 3.4 * GB,
      sizeOf: 'continuumio/anaconda3:2024.02-1',
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: [miniconda],
      describes: 'the Anaconda distribution (Python with ~1,500 packages)',
    }),
    builtin({
      name: 'continuumio/miniconda3',
      variant: 'miniconda',
      kind: 'runtime',
      ecosystem: 'python',
      approxSize: 470 * MB,
      sizeOf: 'continuumio/miniconda3:24.4.0-0',
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: [],
      describes: 'Miniconda (conda and Python)',
    }),
  ];
}

type EntryInput = Omit<BaseImageEntry, 'source'>;

function builtin(entry: EntryInput): BaseImageEntry {
  return { ...entry, source: 'builtin' };
}

const ALPINE_TAG = /(?:^|-)alpine/;
const SLIM_TAG = /(?:^|-)slim(?:-|$)/;

function languageEntries(
  name: 'python' | 'node' | 'ruby',
  sizes: { full: number; slim: number; alpine: number },
  reference: string,
  extra: SmallerAlternative[],
  env?: Readonly<Record<string, string>>,
): BaseImageEntry[] {
  const ecosystem = name;
  const slimAlt: SmallerAlternative = {
    image: (t) => `${name}:${vdash(t)}slim`,
    approxSize: sizes.slim,
    kind: 'slim',
    libc: 'glibc',
    hasShell: true,
    note: 'same Debian and glibc without compilers and headers',
  };
  const alpineAlt: SmallerAlternative = {
    image: (t) => `${name}:${vdash(t)}alpine`,
    approxSize: sizes.alpine,
    kind: 'alpine',
    libc: 'musl',
    hasShell: true,
    note: 'musl: native wheels/addons built for glibc do not load',
  };
  return [
    builtin({
      name,
      variant: 'alpine',
      tags: ALPINE_TAG,
      kind: 'alpine',
      ecosystem,
      approxSize: sizes.alpine,
      sizeOf: `${name}:${reference}-alpine`,
      libc: 'musl',
      hasShell: true,
      packageManager: 'apk',
      smallerAlternatives: extra.filter((alt) => alt.approxSize < sizes.alpine),
      ...(env ? { env } : {}),
    }),
    builtin({
      name,
      variant: 'slim',
      tags: SLIM_TAG,
      kind: 'slim',
      ecosystem,
      approxSize: sizes.slim,
      sizeOf: `${name}:${reference}-slim`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: [...extra.filter((alt) => alt.approxSize < sizes.slim), alpineAlt],
      ...(env ? { env } : {}),
    }),
    builtin({
      name,
      variant: 'full',
      kind: 'full-distro',
      ecosystem,
      approxSize: sizes.full,
      sizeOf: `${name}:${reference}`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: [slimAlt, alpineAlt, ...extra],
      ...(env ? { env } : {}),
    }),
  ];
}

function javaEntries(name: 'openjdk' | 'eclipse-temurin' | 'amazoncorretto'): BaseImageEntry[] {
  const jdkFull = name === 'openjdk' ? 500 * MB : 450 * MB;
  const pm: PackageManager = name === 'amazoncorretto' ? 'yum' : name === 'openjdk' ? 'microdnf' : 'apt';
  const jdkRef = name === 'amazoncorretto' ? '21' : name === 'openjdk' ? '21' : '21-jdk';
  const jreSize = name === 'openjdk' ? 220 * MB : 265 * MB;
  return [
    builtin({
      name,
      variant: 'jre-alpine',
      tags: /jre.*alpine|alpine.*jre/,
      kind: 'alpine',
      ecosystem: 'java',
      approxSize: name === 'openjdk' ? 85 * MB : 185 * MB,
      sizeOf: name === 'openjdk' ? 'openjdk:8-jre-alpine' : `${name}:21-jre-alpine`,
      libc: 'musl',
      hasShell: true,
      packageManager: 'apk',
      smallerAlternatives: [],
    }),
    builtin({
      name,
      variant: 'jre',
      tags: /jre/,
      kind: 'runtime',
      ecosystem: 'java',
      approxSize: jreSize,
      sizeOf: name === 'openjdk' ? 'openjdk:11-jre-slim' : `${name}:21-jre`,
      libc: 'glibc',
      hasShell: true,
      packageManager: name === 'openjdk' ? 'apt' : pm,
      smallerAlternatives: jreAlternatives().filter(
        (alt) => alt.kind !== 'runtime' && alt.approxSize < jreSize,
      ),
    }),
    builtin({
      name,
      variant: 'jdk-alpine',
      tags: /alpine/,
      kind: 'toolchain',
      ecosystem: 'java',
      approxSize: name === 'amazoncorretto' ? 320 * MB : 350 * MB,
      sizeOf: `${name}:21-${name === 'amazoncorretto' ? '' : 'jdk-'}alpine`,
      libc: 'musl',
      hasShell: true,
      packageManager: 'apk',
      smallerAlternatives: jreAlternatives(),
    }),
    builtin({
      name,
      variant: 'jdk',
      kind: 'toolchain',
      ecosystem: 'java',
      approxSize: jdkFull,
      sizeOf: `${name}:${jdkRef}`,
      libc: 'glibc',
      hasShell: true,
      packageManager: pm,
      smallerAlternatives: jreAlternatives(),
    }),
  ];
}

function distrolessEntries(): BaseImageEntry[] {
  const families: Array<{
    id: string;
    pattern: RegExp;
    size: number;
    libc: Libc;
    ecosystem: Ecosystem;
    sizeOf: string;
    alternatives: SmallerAlternative[];
  }> = [
    {
      id: 'static',
      pattern: /^distroless\/static(?:-debian\d+)?$/,
      size: 2 * MB,
      libc: 'none',
      ecosystem: 'generic',
      sizeOf: 'gcr.io/distroless/static-debian12',
      alternatives: [SCRATCH_ALT],
    },
    {
      id: 'base',
      pattern: /^distroless\/base(?:-nossl)?(?:-debian\d+)?$/,
      size: 21 * MB,
      libc: 'glibc',
      ecosystem: 'generic',
      sizeOf: 'gcr.io/distroless/base-debian12',
      alternatives: [DISTROLESS_STATIC_ALT, SCRATCH_ALT],
    },
    {
      id: 'cc',
      pattern: /^distroless\/cc(?:-debian\d+)?$/,
      size: 24 * MB,
      libc: 'glibc',
      ecosystem: 'c',
      sizeOf: 'gcr.io/distroless/cc-debian12',
      alternatives: [DISTROLESS_STATIC_ALT, SCRATCH_ALT],
    },
    {
      id: 'python3',
      pattern: /^distroless\/python3?(?:-debian\d+)?$/,
      size: 53 * MB,
      libc: 'glibc',
      ecosystem: 'python',
      sizeOf: 'gcr.io/distroless/python3-debian12',
      alternatives: [],
    },
    {
      id: 'nodejs',
      pattern: /^distroless\/nodejs\d*(?:-debian\d+)?$/,
      size: 165 * MB,
      libc: 'glibc',
      ecosystem: 'node',
      sizeOf: 'gcr.io/distroless/nodejs20-debian12',
      alternatives: [],
    },
    {
      id: 'java',
      pattern: /^distroless\/java(?:\d+|-base)?(?:-debian\d+)?$/,
      size: 225 * MB,
      libc: 'glibc',
      ecosystem: 'java',
      sizeOf: 'gcr.io/distroless/java17-debian12',
      alternatives: [],
    },
  ];
  const entries: BaseImageEntry[] = [];
  for (const family of families) {
    const common = {
      name: `distroless/${family.id}`,
      namePattern: family.pattern,
      registry: 'gcr.io',
      ecosystem: family.ecosystem,
      libc: family.libc,
      packageManager: 'none' as const,
    };
    // `:debug` tags add busybox (a shell under /busybox) for troubleshooting.
    entries.push(
      builtin({
        ...common,
        variant: 'debug',
        tags: /debug/,
        kind: 'distroless',
        approxSize: family.size + 1.5 * MB,
        sizeOf: `${family.sizeOf}:debug`,
        hasShell: true,
        smallerAlternatives: [],
      }),
      builtin({
        ...common,
        variant: 'distroless',
        kind: 'distroless',
        approxSize: family.size,
        sizeOf: family.sizeOf,
        hasShell: false,
        smallerAlternatives: family.alternatives,
      }),
    );
  }
  return entries;
}

function dotnetEntries(): BaseImageEntry[] {
  const ms = 'mcr.microsoft.com';
  const aspnetAlt: SmallerAlternative = {
    image: (t) => `mcr.microsoft.com/dotnet/aspnet:${majorMinor(t.version)}`,
    approxSize: 220 * MB,
    kind: 'runtime',
    libc: 'glibc',
    hasShell: true,
    note: 'ASP.NET Core runtime; use dotnet/runtime for console apps',
  };
  const chiseledAlt: SmallerAlternative = {
    image: (t) => `mcr.microsoft.com/dotnet/aspnet:${majorMinor(t.version)}-jammy-chiseled`,
    approxSize: 110 * MB,
    kind: 'distroless',
    libc: 'glibc',
    hasShell: false,
    note: 'no shell, no package manager',
  };
  const alpineAlt: SmallerAlternative = {
    image: (t) => `mcr.microsoft.com/dotnet/aspnet:${majorMinor(t.version)}-alpine`,
    approxSize: 110 * MB,
    kind: 'alpine',
    libc: 'musl',
    hasShell: true,
  };
  const runtimeDepsAlt: SmallerAlternative = {
    image: (t) => `mcr.microsoft.com/dotnet/runtime-deps:${majorMinor(t.version)}-jammy-chiseled`,
    approxSize: 13 * MB,
    kind: 'distroless',
    libc: 'glibc',
    hasShell: false,
    linkage: 'static',
    note: 'for self-contained or native AOT publishes only',
  };
  const runtime = (
    name: string,
    sizes: { full: number; alpine: number; chiseled: number },
    alts: SmallerAlternative[],
  ) => [
    builtin({
      name,
      registry: ms,
      variant: 'chiseled',
      tags: /chiseled|distroless/,
      kind: 'distroless',
      ecosystem: 'dotnet',
      approxSize: sizes.chiseled,
      sizeOf: `${ms}/${name}:8.0-jammy-chiseled`,
      libc: 'glibc',
      hasShell: false,
      packageManager: 'none',
      smallerAlternatives: [],
    }),
    builtin({
      name,
      registry: ms,
      variant: 'alpine',
      tags: /alpine/,
      kind: 'alpine',
      ecosystem: 'dotnet',
      approxSize: sizes.alpine,
      sizeOf: `${ms}/${name}:8.0-alpine`,
      libc: 'musl',
      hasShell: true,
      packageManager: 'apk',
      smallerAlternatives: [],
    }),
    builtin({
      name,
      registry: ms,
      variant: 'runtime',
      kind: 'runtime',
      ecosystem: 'dotnet',
      approxSize: sizes.full,
      sizeOf: `${ms}/${name}:8.0`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: alts,
    }),
  ];
  return [
    builtin({
      name: 'dotnet/sdk',
      registry: ms,
      variant: 'sdk-alpine',
      tags: /alpine/,
      kind: 'toolchain',
      ecosystem: 'dotnet',
      approxSize: 700 * MB,
      sizeOf: `${ms}/dotnet/sdk:8.0-alpine`,
      libc: 'musl',
      hasShell: true,
      packageManager: 'apk',
      smallerAlternatives: [alpineAlt, aspnetAlt, chiseledAlt],
    }),
    builtin({
      name: 'dotnet/sdk',
      registry: ms,
      variant: 'sdk',
      kind: 'toolchain',
      ecosystem: 'dotnet',
      approxSize: 850 * MB,
      sizeOf: `${ms}/dotnet/sdk:8.0`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      smallerAlternatives: [aspnetAlt, chiseledAlt, alpineAlt, runtimeDepsAlt],
    }),
    ...runtime('dotnet/aspnet', { full: 220 * MB, alpine: 110 * MB, chiseled: 110 * MB }, [
      chiseledAlt,
      alpineAlt,
    ]),
    ...runtime('dotnet/runtime', { full: 195 * MB, alpine: 85 * MB, chiseled: 85 * MB }, []),
    ...runtime('dotnet/runtime-deps', { full: 120 * MB, alpine: 13 * MB, chiseled: 13 * MB }, []),
  ];
}

function rhelLike(name: string, sizes: { full: number; minimal: number }, sizeRef: string): BaseImageEntry[] {
  return [
    builtin({
      name,
      variant: 'minimal',
      tags: /minimal/,
      kind: 'slim',
      ecosystem: 'generic',
      approxSize: sizes.minimal,
      sizeOf: `${name}:${sizeRef}-minimal`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'microdnf',
      smallerAlternatives: [DISTROLESS_BASE_ALT, DISTROLESS_STATIC_ALT],
    }),
    builtin({
      name,
      variant: 'full',
      kind: 'full-distro',
      ecosystem: 'generic',
      approxSize: sizes.full,
      sizeOf: `${name}:${sizeRef}`,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'dnf',
      smallerAlternatives: [
        {
          image: (t) => `${name}:${t.tag === 'latest' ? sizeRef : t.tag}-minimal`,
          approxSize: sizes.minimal,
          kind: 'slim',
          libc: 'glibc',
          hasShell: true,
          note: 'microdnf instead of dnf, same glibc',
        },
        DISTROLESS_BASE_ALT,
        DISTROLESS_STATIC_ALT,
      ],
    }),
  ];
}

export const BUILTIN_ENTRIES: readonly BaseImageEntry[] = [
  // ---- compiled-language toolchains
  builtin({
    name: 'golang',
    variant: 'alpine',
    tags: ALPINE_TAG,
    kind: 'toolchain',
    ecosystem: 'go',
    approxSize: 230 * MB,
    sizeOf: 'golang:1.22-alpine',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: GO_ALTERNATIVES,
    env: GOLANG_ENV,
    workdir: '/go',
  }),
  builtin({
    name: 'golang',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'go',
    approxSize: 814 * MB,
    sizeOf: 'golang:1.22',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: GO_ALTERNATIVES,
    env: GOLANG_ENV,
    workdir: '/go',
  }),
  builtin({
    name: 'rust',
    variant: 'alpine',
    tags: ALPINE_TAG,
    kind: 'toolchain',
    ecosystem: 'rust',
    approxSize: 720 * MB,
    sizeOf: 'rust:1.78-alpine',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: NATIVE_ALTERNATIVES,
    env: RUST_ENV,
  }),
  builtin({
    name: 'rust',
    variant: 'slim',
    tags: SLIM_TAG,
    kind: 'toolchain',
    ecosystem: 'rust',
    approxSize: 780 * MB,
    sizeOf: 'rust:1.78-slim',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: NATIVE_ALTERNATIVES,
    env: RUST_ENV,
  }),
  builtin({
    name: 'rust',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'rust',
    approxSize: 1.45 * GB,
    sizeOf: 'rust:1.78',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: NATIVE_ALTERNATIVES,
    env: RUST_ENV,
  }),
  ...nightlyRustEntries(),
  builtin({
    name: 'gcc',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'c',
    approxSize: 1.4 * GB,
    sizeOf: 'gcc:13',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: NATIVE_ALTERNATIVES,
  }),
  builtin({
    name: 'buildpack-deps',
    variant: 'curl',
    tags: /curl/,
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 145 * MB,
    sizeOf: 'buildpack-deps:bookworm-curl',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      { ...DEBIAN_SLIM_ALT, image: (t) => `debian:${debianCodename(t.tag)}-slim`, linkage: undefined },
    ],
  }),
  builtin({
    name: 'buildpack-deps',
    variant: 'scm',
    tags: /scm/,
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 290 * MB,
    sizeOf: 'buildpack-deps:bookworm-scm',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      { ...DEBIAN_SLIM_ALT, image: (t) => `debian:${debianCodename(t.tag)}-slim`, linkage: undefined },
    ],
  }),
  builtin({
    name: 'buildpack-deps',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'c',
    approxSize: 880 * MB,
    sizeOf: 'buildpack-deps:bookworm',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      DISTROLESS_STATIC_ALT,
      SCRATCH_ALT,
      DISTROLESS_CC_ALT,
      { ...DEBIAN_SLIM_ALT, image: (t) => `debian:${debianCodename(t.tag)}-slim` },
    ],
  }),

  // ---- Java
  builtin({
    name: 'maven',
    variant: 'alpine',
    tags: /alpine/,
    kind: 'toolchain',
    ecosystem: 'java',
    approxSize: 360 * MB,
    sizeOf: 'maven:3.9-eclipse-temurin-21-alpine',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: jreAlternatives(),
    env: MAVEN_ENV,
  }),
  builtin({
    name: 'maven',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'java',
    approxSize: 500 * MB,
    sizeOf: 'maven:3.9-eclipse-temurin-21',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: jreAlternatives(),
    env: MAVEN_ENV,
  }),
  builtin({
    name: 'gradle',
    variant: 'alpine',
    tags: /alpine/,
    kind: 'toolchain',
    ecosystem: 'java',
    approxSize: 520 * MB,
    sizeOf: 'gradle:8-jdk21-alpine',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: jreAlternatives(),
  }),
  builtin({
    name: 'gradle',
    variant: 'full',
    kind: 'toolchain',
    ecosystem: 'java',
    approxSize: 690 * MB,
    sizeOf: 'gradle:8-jdk21',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: jreAlternatives(),
  }),
  ...javaEntries('eclipse-temurin'),
  ...javaEntries('openjdk'),
  ...javaEntries('amazoncorretto'),
  ...legacyJavaEntries(),

  // ---- interpreted languages
  ...languageEntries('python', { full: 1.02 * GB, slim: 130 * MB, alpine: 57 * MB }, '3.12', [
    {
      image: 'gcr.io/distroless/python3-debian12',
      approxSize: 53 * MB,
      kind: 'distroless',
      libc: 'glibc',
      hasShell: false,
      note: "Debian's Python 3.11, no shell or pip: copy a virtualenv built for it",
    },
  ]),
  ...condaEntries(),
  ...languageEntries('node', { full: 1.1 * GB, slim: 200 * MB, alpine: 135 * MB }, '20', [
    {
      image: (t) => `gcr.io/distroless/nodejs${/^\d+$/.test(t.version) ? t.version : '20'}-debian12`,
      approxSize: 165 * MB,
      kind: 'distroless',
      libc: 'glibc',
      hasShell: false,
      note: 'no shell or npm: copy node_modules from a builder stage',
    },
  ]),
  ...languageEntries('ruby', { full: 1.0 * GB, slim: 210 * MB, alpine: 90 * MB }, '3.3', [], RUBY_ENV),
  builtin({
    name: 'php',
    variant: 'alpine',
    tags: ALPINE_TAG,
    kind: 'alpine',
    ecosystem: 'php',
    approxSize: 100 * MB,
    sizeOf: 'php:8.3-cli-alpine',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: [],
    workdir: phpWorkdir,
  }),
  builtin({
    name: 'php',
    variant: 'debian',
    kind: 'runtime',
    ecosystem: 'php',
    approxSize: 490 * MB,
    sizeOf: 'php:8.3-cli',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    workdir: phpWorkdir,
    smallerAlternatives: [
      {
        image: (t) =>
          `php:${t.tag === 'latest' ? '' : `${t.tag.replace(/-(?:bookworm|bullseye)$/, '')}-`}alpine`,
        approxSize: 100 * MB,
        kind: 'alpine',
        libc: 'musl',
        hasShell: true,
        note: 'the Debian variants keep $PHPIZE_DEPS (gcc, make, autoconf) installed',
      },
    ],
  }),

  // ---- .NET
  ...dotnetEntries(),

  // ---- distributions
  builtin({
    name: 'ubuntu',
    variant: 'full',
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 78 * MB,
    sizeOf: 'ubuntu:24.04',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      DISTROLESS_STATIC_ALT,
      SCRATCH_ALT,
      ALPINE_ALT,
      DISTROLESS_BASE_ALT,
      DISTROLESS_CC_ALT,
    ],
  }),
  builtin({
    name: 'debian',
    variant: 'slim',
    tags: /slim/,
    kind: 'slim',
    ecosystem: 'generic',
    approxSize: 74 * MB,
    sizeOf: 'debian:12-slim',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      DISTROLESS_STATIC_ALT,
      SCRATCH_ALT,
      ALPINE_ALT,
      DISTROLESS_BASE_ALT,
      DISTROLESS_CC_ALT,
    ],
  }),
  builtin({
    name: 'debian',
    variant: 'full',
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 117 * MB,
    sizeOf: 'debian:12',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    smallerAlternatives: [
      {
        image: (t) => `debian:${t.tag === 'latest' ? 'stable' : t.tag}-slim`,
        approxSize: 74 * MB,
        kind: 'slim',
        libc: 'glibc',
        hasShell: true,
        note: 'same packages without docs, man pages and locales',
      },
      DISTROLESS_STATIC_ALT,
      SCRATCH_ALT,
      DISTROLESS_CC_ALT,
      DISTROLESS_BASE_ALT,
    ],
  }),
  builtin({
    name: 'centos',
    variant: 'full',
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 204 * MB,
    sizeOf: 'centos:7',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'yum',
    smallerAlternatives: [
      {
        image: 'rockylinux:9-minimal',
        approxSize: 100 * MB,
        kind: 'slim',
        libc: 'glibc',
        hasShell: true,
        note: 'CentOS is end of life',
      },
      DISTROLESS_BASE_ALT,
      DISTROLESS_STATIC_ALT,
    ],
  }),
  builtin({
    name: 'fedora-minimal',
    registry: 'registry.fedoraproject.org',
    variant: 'minimal',
    kind: 'slim',
    ecosystem: 'generic',
    approxSize: 110 * MB,
    sizeOf: 'registry.fedoraproject.org/fedora-minimal:40',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'microdnf',
    smallerAlternatives: [DISTROLESS_BASE_ALT, DISTROLESS_STATIC_ALT],
  }),
  builtin({
    name: 'fedora',
    variant: 'full',
    kind: 'full-distro',
    ecosystem: 'generic',
    approxSize: 200 * MB,
    sizeOf: 'fedora:40',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'dnf',
    smallerAlternatives: [
      {
        image: (t) => `registry.fedoraproject.org/fedora-minimal:${t.version || '40'}`,
        approxSize: 110 * MB,
        kind: 'slim',
        libc: 'glibc',
        hasShell: true,
        note: 'microdnf instead of dnf',
      },
      DISTROLESS_BASE_ALT,
      DISTROLESS_STATIC_ALT,
    ],
  }),
  ...rhelLike('rockylinux', { full: 176 * MB, minimal: 100 * MB }, '9'),
  ...rhelLike('rockylinux/rockylinux', { full: 176 * MB, minimal: 100 * MB }, '9'),
  ...rhelLike('almalinux', { full: 190 * MB, minimal: 100 * MB }, '9'),
  builtin({
    name: 'alpine',
    variant: 'alpine',
    kind: 'alpine',
    ecosystem: 'generic',
    approxSize: 7.8 * MB,
    sizeOf: 'alpine:3.20',
    libc: 'musl',
    hasShell: true,
    packageManager: 'apk',
    smallerAlternatives: [DISTROLESS_STATIC_ALT, SCRATCH_ALT],
  }),
  builtin({
    name: 'busybox',
    variant: 'static',
    tags: /musl|uclibc/,
    kind: 'slim',
    ecosystem: 'generic',
    approxSize: 1.5 * MB,
    sizeOf: 'busybox:1.36-musl',
    libc: 'none',
    hasShell: true,
    packageManager: 'none',
    smallerAlternatives: [SCRATCH_ALT],
  }),
  builtin({
    name: 'busybox',
    variant: 'glibc',
    kind: 'slim',
    ecosystem: 'generic',
    approxSize: 4.3 * MB,
    sizeOf: 'busybox:1.36',
    libc: 'glibc',
    hasShell: true,
    packageManager: 'none',
    smallerAlternatives: [DISTROLESS_STATIC_ALT, SCRATCH_ALT],
  }),
  ...distrolessEntries(),
  builtin({
    name: 'scratch',
    variant: 'scratch',
    kind: 'scratch',
    ecosystem: 'generic',
    approxSize: 0,
    sizeOf: 'scratch',
    libc: 'none',
    hasShell: false,
    packageManager: 'none',
    smallerAlternatives: [],
  }),
];

const JAVA_RUNTIMES = new Set(['eclipse-temurin', 'openjdk', 'amazoncorretto', 'java']);

// ---- the catalogue -------------------------------------------------------------

/** Strips mirror prefixes so `public.ecr.aws/docker/library/python` matches `python`. */
/**
 * Docker Hub's official images are `library/<name>`; mirrors and pull-through
 * caches keep that path under their own prefix (`docker/library/node` on
 * public.ecr.aws, `dockerhub-proxy/library/node` on a Harbor): all are `node`.
 */
function normaliseRepository(repository: string): string {
  return repository.replace(/^(?:.*\/)?library\//, '');
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export class BaseImageCatalogue {
  readonly entries: readonly BaseImageEntry[];
  private readonly byName = new Map<string, BaseImageEntry[]>();
  private readonly patterned: BaseImageEntry[] = [];
  /** Classification is pure per catalogue: cache it by repository and tag. */
  private readonly cache = new Map<string, BaseImageMatch | undefined>();

  constructor(entries: readonly BaseImageEntry[]) {
    this.entries = entries;
    for (const entry of entries) {
      if (entry.namePattern) this.patterned.push(entry);
      const list = this.byName.get(entry.name);
      if (list) list.push(entry);
      else this.byName.set(entry.name, [entry]);
    }
  }

  /** The entry and variant for an image, or undefined when pare does not know it. */
  classify(ref: ImageRef | string): BaseImageMatch | undefined {
    const image = typeof ref === 'string' ? parseImageRef(ref, ref, false) : ref;
    if (image.isScratch) return this.match(this.byName.get('scratch') ?? [], image.tag);
    if (image.unresolved) return undefined;
    const key = `${image.repository}:${image.tag ?? ''}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const result = this.lookup(image);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  private lookup(image: ImageRef): BaseImageMatch | undefined {
    const repository = normaliseRepository(image.repository);
    const named = this.byName.get(repository);
    const found = named ? this.match(named, image.tag) : undefined;
    if (found) return found;
    const patterned = this.patterned.filter((entry) => entry.namePattern!.test(repository));
    return patterned.length > 0 ? this.match(patterned, image.tag) : undefined;
  }

  private match(entries: readonly BaseImageEntry[], tag: string | undefined): BaseImageMatch | undefined {
    const text = (tag ?? 'latest').toLowerCase();
    for (const entry of entries) {
      if (entry.tags && !entry.tags.test(text)) continue;
      return { entry, variant: entry.variant, tag: tagInfo(text, JAVA_RUNTIMES.has(entry.name)) };
    }
    return undefined;
  }

  /**
   * The kind of an image the catalogue does not know, judged by the last
   * segment of its repository and its tag: a team's own `toolchains/gcc:13`,
   * or a mirror of an official image under a path of its own. A guess from a
   * name, so only the kind: what rules read to avoid staying silent about a
   * toolchain, never alternatives or sizes. Undefined for a known image.
   */
  kindByName(ref: ImageRef | string): BaseImageKind | undefined {
    const image = typeof ref === 'string' ? parseImageRef(ref, ref, false) : ref;
    if (image.isScratch || image.unresolved || this.classify(image)) return undefined;
    const repository = normaliseRepository(image.repository);
    const last = repository.slice(repository.lastIndexOf('/') + 1);
    const named = this.byName.get(last);
    return named ? this.match(named, image.tag)?.entry.kind : undefined;
  }

  /** A new catalogue where the user's entries take precedence over the builtin ones. */
  extend(entries: readonly UserBaseImageEntry[]): BaseImageCatalogue {
    return new BaseImageCatalogue([...entries.map(fromUserEntry), ...this.entries]);
  }
}

function fromUserEntry(user: UserBaseImageEntry): BaseImageEntry {
  const ref = parseImageRef(user.name, user.name, false);
  const kind = user.kind ?? (user.libc === 'none' && !user.hasShell ? 'distroless' : 'runtime');
  return {
    name: normaliseRepository(ref.repository),
    ...(ref.registry ? { registry: ref.registry } : {}),
    variant: 'config',
    ...(ref.tag ? { tags: globToRegExp(ref.tag.toLowerCase()) } : {}),
    kind,
    ecosystem: user.ecosystem ?? 'generic',
    approxSize: user.size,
    sizeOf: user.name,
    libc: user.libc,
    hasShell: user.hasShell,
    packageManager: user.packageManager,
    smallerAlternatives: [],
    ...(user.env ? { env: user.env } : {}),
    source: 'config',
  };
}

export const builtinCatalogue = new BaseImageCatalogue(BUILTIN_ENTRIES);

let active = builtinCatalogue;

/** The catalogue rules consult: the builtin one plus whatever config added. */
export function activeCatalogue(): BaseImageCatalogue {
  return active;
}

/**
 * Adds the user's entries (validated by the config loader) to the active
 * catalogue; they take precedence over builtin entries of the same name.
 */
export function extend(entries: readonly UserBaseImageEntry[]): BaseImageCatalogue {
  active = active.extend(entries);
  return active;
}

/** Back to the builtin catalogue (for tests and for linting with another config). */
export function resetCatalogue(): void {
  active = builtinCatalogue;
}

/** Classifies an image with the active catalogue. */
export function classifyImage(ref: ImageRef | string): BaseImageMatch | undefined {
  return active.classify(ref);
}

/** The kind an unknown image's name suggests (see BaseImageCatalogue.kindByName). */
export function kindByName(ref: ImageRef | string): BaseImageKind | undefined {
  return active.kindByName(ref);
}

/** The concrete image name of an alternative for a matched tag. */
export function alternativeImage(alternative: SmallerAlternative, tag: TagInfo): string {
  return typeof alternative.image === 'string' ? alternative.image : alternative.image(tag);
}

/** Basis text for savings built from catalogue sizes. */
export const SIZE_BASIS =
  'approximate uncompressed linux/amd64 sizes of the official images as published on their registries around 2024-06';
