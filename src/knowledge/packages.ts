/**
 * What pare knows about the distribution package managers (apt, apk, the rpm
 * family), pip and the Node package managers: their options, caches and
 * estimates, and the tools that do not belong in a runtime image. Shared by
 * the rules, the rewrites and the image detectors. Every size here is an ESTIMATE: each
 * carries the basis it was estimated from, and findings quote it as
 * "estimated". Sizes are SI bytes (1 MB = 1,000,000 B), like `docker images`.
 */
import type { ImageRef } from '../dockerfile/types.js';

const MB = 1_000_000;

export interface SizeEstimate {
  bytes: number;
  basis: string;
}

/** The distribution family a base image is built on, for picking estimates. */
export type Distro = 'debian' | 'ubuntu' | 'alpine' | 'fedora' | 'rhel' | 'suse' | 'unknown';

const UBUNTU_CODENAMES =
  /(?:^|[-_.])(?:xenial|bionic|focal|jammy|kinetic|lunar|mantic|noble|oracular|plucky)(?:$|[-_.])/;
const DEBIAN_CODENAMES = /(?:^|[-_.])(?:stretch|buster|bullseye|bookworm|trixie|sid)(?:$|[-_.])/;

/**
 * Best guess from the image name and tag: official language images (python,
 * node, golang, ruby, …) are Debian unless their tag says alpine.
 */
export function distroOf(image: ImageRef): Distro {
  const repo = image.repository;
  const tag = image.tag ?? '';
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  if (/alpine/.test(tag) || last === 'alpine' || repo.includes('alpine')) return 'alpine';
  if (last === 'ubuntu' || repo.includes('ubuntu') || tag.includes('ubuntu') || UBUNTU_CODENAMES.test(tag))
    return 'ubuntu';
  if (DEBIAN_CODENAMES.test(tag) || last === 'debian' || last === 'buildpack-deps') return 'debian';
  if (last === 'fedora') return 'fedora';
  if (
    /^(?:ubi\d*|ubi\d*-minimal|ubi\d*-micro|rockylinux|almalinux|centos|oraclelinux|amazonlinux|rhel|ubi\d+\/.*)$/.test(
      last,
    )
  )
    return 'rhel';
  if (
    repo.includes('ubi') ||
    repo.includes('rockylinux') ||
    repo.includes('almalinux') ||
    repo.includes('centos')
  )
    return 'rhel';
  if (repo.includes('opensuse') || repo.includes('suse') || last === 'bci-base') return 'suse';
  if (DEBIAN_FAMILY_IMAGES.has(last)) return 'debian';
  return 'unknown';
}

/** Official images whose default variants are built on Debian. */
const DEBIAN_FAMILY_IMAGES = new Set([
  'python',
  'node',
  'golang',
  'ruby',
  'php',
  'perl',
  'rust',
  'openjdk',
  'maven',
  'gradle',
  'eclipse-temurin',
  'elixir',
  'erlang',
  'haskell',
  'gcc',
  'julia',
  'r-base',
  'swift',
  'clojure',
]);

// ---------------------------------------------------------------- apt

export const APT = {
  listsDir: '/var/lib/apt/lists',
  /**
   * A file `apt-get update` writes there: deleting `lists/*`, `lists/*_*`
   * (every list file has an underscore) or the folder itself all remove it.
   */
  listFile: '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease',
  cacheDir: '/var/cache/apt',
  archivesDir: '/var/cache/apt/archives',
  /** The config file official Debian/Ubuntu images ship to delete .debs after every install. */
  dockerCleanConfig: '/etc/apt/apt.conf.d/docker-clean',
  /** apt-get/apt options that take a value as the next word. */
  optionsWithValue: [
    '-o',
    '-c',
    '-t',
    '-a',
    '--option',
    '--config-file',
    '--target-release',
    '--default-release',
    '--host-architecture',
  ],
  /** Subcommands that download packages (need fresh lists, fill the archive cache). */
  installActions: new Set([
    'install',
    'reinstall',
    'upgrade',
    'dist-upgrade',
    'full-upgrade',
    'build-dep',
    'satisfy',
    'dselect-upgrade',
  ]),
  /** Subcommands of `apt` that `apt-get` has too (so `apt` → `apt-get` is a safe rename). */
  sharedWithAptGet: new Set([
    'update',
    'upgrade',
    'dist-upgrade',
    'install',
    'reinstall',
    'remove',
    'purge',
    'autoremove',
    'autopurge',
    'clean',
    'autoclean',
    'source',
    'build-dep',
    'satisfy',
    'download',
    'check',
    'changelog',
  ]),
} as const;

export function aptListsEstimate(distro: Distro): SizeEstimate {
  if (distro === 'ubuntu') {
    return {
      bytes: 45 * MB,
      basis:
        'estimated: typical /var/lib/apt/lists after `apt-get update` on Ubuntu 22.04/24.04 (main, universe, updates, security: ~40-50 MB)',
    };
  }
  return {
    bytes: 20 * MB,
    basis:
      'estimated: typical /var/lib/apt/lists after `apt-get update` on Debian bookworm (main, updates, security: ~20 MB)',
  };
}

// ---------------------------------------------------------------- apk

export const APK = {
  cacheDir: '/var/cache/apk',
  /** Where a configured package cache lives (a symlink to /var/cache/apk when `apk cache` is set up). */
  etcCacheDir: '/etc/apk/cache',
  optionsWithValue: [
    '--virtual',
    '-t',
    '--repository',
    '-X',
    '--root',
    '-p',
    '--arch',
    '--keys-dir',
    '--cache-dir',
    '--repositories-file',
  ],
  indexEstimate: {
    bytes: 2 * MB,
    basis:
      'estimated: APKINDEX.tar.gz of the main (~0.7 MB) and community (~1.4 MB) repositories that `apk update`/`apk add` store in /var/cache/apk (Alpine 3.18-3.21, x86_64)',
  } satisfies SizeEstimate,
} as const;

// ---------------------------------------------------------------- rpm family

export interface RpmManager {
  /** What removes every cache: appended by the fix. */
  clean: string;
  /** Subcommands that fetch repository metadata and packages. */
  installActions: ReadonlySet<string>;
  cacheDirs: readonly string[];
}

const DNF_ACTIONS = new Set([
  'install',
  'in',
  'reinstall',
  'update',
  'upgrade',
  'up',
  'groupinstall',
  'groupupdate',
  'localinstall',
  'makecache',
  'distro-sync',
  'builddep',
  'swap',
]);
const DNF_CACHES = ['/var/cache/dnf', '/var/cache/yum', '/var/cache/libdnf5'];

export const RPM_MANAGERS: Readonly<Record<string, RpmManager>> = {
  yum: { clean: 'yum clean all', installActions: DNF_ACTIONS, cacheDirs: DNF_CACHES },
  dnf: { clean: 'dnf clean all', installActions: DNF_ACTIONS, cacheDirs: DNF_CACHES },
  dnf5: { clean: 'dnf5 clean all', installActions: DNF_ACTIONS, cacheDirs: DNF_CACHES },
  microdnf: { clean: 'microdnf clean all', installActions: DNF_ACTIONS, cacheDirs: DNF_CACHES },
  tdnf: { clean: 'tdnf clean all', installActions: DNF_ACTIONS, cacheDirs: ['/var/cache/tdnf'] },
  zypper: {
    clean: 'zypper clean -a',
    installActions: new Set([
      'install',
      'in',
      'update',
      'up',
      'dist-upgrade',
      'dup',
      'patch',
      'source-install',
      'si',
      'refresh',
      'ref',
    ]),
    cacheDirs: ['/var/cache/zypp'],
  },
};

export function rpmCacheEstimate(distro: Distro, program: string): SizeEstimate {
  if (program === 'zypper' || distro === 'suse') {
    return {
      bytes: 30 * MB,
      basis:
        'estimated: typical /var/cache/zypp repository metadata of openSUSE Leap / SLE BCI after one install (~30 MB)',
    };
  }
  if (distro === 'fedora') {
    return {
      bytes: 80 * MB,
      basis:
        'estimated: typical /var/cache/dnf repository metadata of Fedora (fedora + updates) after one install (~80 MB)',
    };
  }
  return {
    bytes: 30 * MB,
    basis:
      'estimated: typical /var/cache/{dnf,yum} repository metadata of RHEL-family images (UBI, Rocky, Alma, Amazon Linux) after one install (~20-40 MB)',
  };
}

// ---------------------------------------------------------------- pip

export const PIP = {
  /** Global pip options that take a value (may come before `install`). */
  optionsWithValue: [
    '--cache-dir',
    '--proxy',
    '--log',
    '--retries',
    '--timeout',
    '--cert',
    '--client-cert',
    '--python',
    '--exists-action',
    '--trusted-host',
    '--src',
    '-r',
    '-c',
    '-e',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-f',
    '--find-links',
    '-t',
    '--target',
    '--prefix',
    '--root',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--upgrade-strategy',
    '--only-binary',
    '--no-binary',
    '--progress-bar',
    '--constraint',
    '--requirement',
    '--editable',
  ],
} as const;

/**
 * Approximate manylinux x86_64 wheel sizes of packages whose wheel is big
 * enough to dominate a pip cache (CPython 3.11/3.12 wheels on PyPI, 2024).
 */
export const HEAVY_WHEELS: Readonly<Record<string, number>> = {
  torch: 800 * MB,
  tensorflow: 600 * MB,
  'tensorflow-cpu': 230 * MB,
  jaxlib: 80 * MB,
  'opencv-python': 60 * MB,
  'opencv-python-headless': 50 * MB,
  pyarrow: 40 * MB,
  scipy: 38 * MB,
  numpy: 18 * MB,
  pandas: 13 * MB,
  'scikit-learn': 13 * MB,
  matplotlib: 8 * MB,
  grpcio: 6 * MB,
};

// ---------------------------------------------------------------- node

/** Default cache locations when no env var or flag moves them (root user: home = /root). */
export const NODE_CACHES = {
  npm: (home: string) => `${home}/.npm`,
  /** Yarn 1 on Linux: `/usr/local/share/.cache/yarn` as root, else `$XDG_CACHE_HOME/yarn`. */
  yarn: (home: string) => (home === '/root' ? '/usr/local/share/.cache/yarn' : `${home}/.cache/yarn`),
  yarnAlternatives: (home: string) => [
    `${home}/.cache/yarn`,
    '/usr/local/share/.cache/yarn',
    `${home}/.yarn/berry/cache`,
  ],
  pnpm: (home: string) => `${home}/.local/share/pnpm/store`,
  pnpmAlternatives: (home: string) => [
    `${home}/.local/share/pnpm`,
    `${home}/.pnpm-store`,
    `${home}/.cache/pnpm`,
  ],
} as const;
export const NODE_BUILD_BINARIES = new Set([
  'tsc',
  'webpack',
  'vite',
  'rollup',
  'esbuild',
  'next',
  'nest',
  'ng',
  'parcel',
  'babel',
  'swc',
  'tsup',
  'gulp',
  'grunt',
  'jest',
  'vitest',
  'mocha',
  'turbo',
  'nx',
]);
/** Dev-time runners: a final image started with them needs devDependencies. */
export const NODE_DEV_RUNNERS =
  /\b(?:ts-node|tsx|nodemon|next dev|vite(?:\s+dev)?|npm run dev|yarn dev|pnpm dev|ng serve|webpack serve|npm (?:run )?test|yarn test|pnpm test|jest|vitest|mocha)\b/;

// ---------------------------------------------------------------- build caches

export type Ecosystem = 'go' | 'cargo' | 'maven' | 'gradle';

export const BUILD_CACHE_ESTIMATES: Readonly<Record<string, SizeEstimate>> = {
  'go-build': {
    bytes: 150 * MB,
    basis:
      'estimated: typical GOCACHE (/root/.cache/go-build) after `go build` of a small web service (standard library and ~50 modules compiled: 100-300 MB)',
  },
  'go-mod': {
    bytes: 50 * MB,
    basis: 'estimated: typical GOMODCACHE (/go/pkg/mod) with the sources of ~50 modules (30-100 MB)',
  },
  'cargo-registry': {
    bytes: 100 * MB,
    basis:
      'estimated: typical $CARGO_HOME/registry (crates.io index cache, .crate files and their unpacked sources) for a service with ~150 crates',
  },
  'cargo-target': {
    bytes: 300 * MB,
    basis:
      'estimated: typical target/ directory of a release build of a small async web service (dependencies compiled: 200 MB-1 GB)',
  },
  maven: {
    bytes: 100 * MB,
    basis:
      'estimated: typical ~/.m2/repository after `mvn package` of a Spring Boot application (100-200 MB)',
  },
  gradle: {
    bytes: 200 * MB,
    basis:
      'estimated: typical ~/.gradle (dependency caches plus a ~130 MB wrapper distribution when gradlew is used)',
  },
};

// ---------------------------------------------------------------- dev and debug tools

export type ToolKind = 'build' | 'vcs' | 'debug' | 'editor' | 'network';

export interface DevTool {
  /** Display name of the group. */
  name: string;
  kind: ToolKind;
  /** Matches package names (version suffixes like `gcc-12`, `=1.2` already stripped). */
  pattern: RegExp;
  /** Binary names that show the tool is used at runtime (HEALTHCHECK, CMD, ENTRYPOINT). */
  binaries: readonly string[];
  /** Approximate installed size with dependencies missing from a slim base, by distro family. */
  debianBytes?: number;
  alpineBytes?: number;
  /** Other groups this one already pulls in (not counted twice). */
  includes?: readonly string[];
}

export const DEV_TOOLS: readonly DevTool[] = [
  {
    name: 'build-essential',
    kind: 'build',
    pattern: /^(?:build-essential|build-base|alpine-sdk|@development-tools|development-tools)$/,
    binaries: [],
    debianBytes: 230 * MB,
    alpineBytes: 200 * MB,
    includes: ['gcc', 'g++', 'make'],
  },
  {
    name: 'g++',
    kind: 'build',
    pattern: /^(?:g\+\+|gcc-c\+\+)(?:-\d+(?:\.\d+)*)?$/,
    binaries: ['g++', 'c++'],
    debianBytes: 200 * MB,
    alpineBytes: 170 * MB,
    includes: ['gcc'],
  },
  {
    name: 'gcc',
    kind: 'build',
    pattern: /^gcc(?:-\d+(?:\.\d+)*)?$/,
    binaries: ['gcc', 'cc'],
    debianBytes: 130 * MB,
    alpineBytes: 120 * MB,
  },
  {
    name: 'clang',
    kind: 'build',
    pattern: /^(?:clang|llvm)(?:-\d+)?$/,
    binaries: ['clang', 'clang++'],
    debianBytes: 300 * MB,
  },
  {
    name: 'make',
    kind: 'build',
    pattern: /^make$/,
    binaries: ['make'],
    debianBytes: 1.5 * MB,
    alpineBytes: 0.3 * MB,
  },
  {
    name: 'cmake',
    kind: 'build',
    pattern: /^cmake$/,
    binaries: ['cmake'],
    debianBytes: 35 * MB,
    alpineBytes: 40 * MB,
  },
  {
    name: 'autotools',
    kind: 'build',
    pattern: /^(?:autoconf|automake|libtool|libtool-bin|pkg-config|pkgconf|bison|flex|m4)$/,
    binaries: [],
  },
  {
    name: 'headers',
    kind: 'build',
    pattern: /^(?:linux-headers(?:-.*)?|kernel-headers|kernel-devel|linux-libc-dev)$/,
    binaries: [],
  },
  {
    name: 'git',
    kind: 'vcs',
    pattern: /^git$/,
    binaries: ['git'],
    debianBytes: 50 * MB,
    alpineBytes: 15 * MB,
  },
  { name: 'subversion', kind: 'vcs', pattern: /^(?:subversion|mercurial)$/, binaries: ['svn', 'hg'] },
  {
    name: 'vim',
    kind: 'editor',
    pattern: /^vim(?:-tiny|-nox|-common|-enhanced|-minimal)?$/,
    binaries: ['vim', 'vi'],
    debianBytes: 40 * MB,
    alpineBytes: 30 * MB,
  },
  {
    name: 'nano',
    kind: 'editor',
    pattern: /^nano$/,
    binaries: ['nano'],
    debianBytes: 3 * MB,
    alpineBytes: 1 * MB,
  },
  { name: 'emacs', kind: 'editor', pattern: /^emacs(?:-nox)?$/, binaries: ['emacs'], debianBytes: 100 * MB },
  {
    name: 'curl',
    kind: 'network',
    pattern: /^curl$/,
    binaries: ['curl'],
    debianBytes: 6 * MB,
    alpineBytes: 1.5 * MB,
  },
  {
    name: 'wget',
    kind: 'network',
    pattern: /^wget$/,
    binaries: ['wget'],
    debianBytes: 4 * MB,
    alpineBytes: 0.5 * MB,
  },
  {
    name: 'openssh-client',
    kind: 'network',
    pattern: /^(?:openssh-client|openssh-clients|openssh)$/,
    binaries: ['ssh', 'scp', 'sftp'],
    debianBytes: 6 * MB,
  },
  {
    name: 'net-tools',
    kind: 'network',
    pattern:
      /^(?:net-tools|iputils-ping|iputils|dnsutils|bind-tools|bind-utils|telnet|tcpdump|netcat(?:-openbsd|-traditional)?|nmap)$/,
    binaries: ['netstat', 'ifconfig', 'ping', 'dig', 'nslookup', 'telnet', 'tcpdump', 'nc'],
  },
  {
    name: 'strace',
    kind: 'debug',
    pattern: /^(?:strace|ltrace)$/,
    binaries: ['strace', 'ltrace'],
    debianBytes: 2.5 * MB,
  },
  {
    name: 'gdb',
    kind: 'debug',
    pattern: /^(?:gdb|valgrind)$/,
    binaries: ['gdb', 'valgrind'],
    debianBytes: 60 * MB,
  },
  {
    name: 'htop',
    kind: 'debug',
    // procps (ps, pkill) and less are left out: entrypoints and psql use them on purpose.
    pattern: /^(?:htop|lsof|man-db|manpages(?:-dev)?)$/,
    binaries: ['htop', 'lsof', 'man'],
  },
];

/** Build tools installed by piping an installer script into a shell (`curl … | sh`). */
export interface InstallerScript {
  name: string;
  /** Matches the installer's URL. */
  url: RegExp;
  /** Programs it installs: one of them in the start command makes it a runtime dependency. */
  binaries: readonly string[];
}

export const BUILD_TOOL_INSTALLERS: readonly InstallerScript[] = [
  {
    name: 'rustup and the Rust toolchain',
    url: /(?:^|\/\/)(?:sh\.)?rustup\.rs\b|static\.rust-lang\.org\/rustup/,
    binaries: ['cargo', 'rustc', 'rustup'],
  },
  {
    name: 'Poetry',
    url: /install\.python-poetry\.org|python-poetry\/(?:poetry|install\.python-poetry\.org)/,
    binaries: ['poetry'],
  },
  { name: 'PDM', url: /pdm-project\.org\/install|pdm-project\/pdm\/.*install/, binaries: ['pdm'] },
  { name: 'Composer', url: /getcomposer\.org\/installer/, binaries: ['composer'] },
  { name: 'SDKMAN and its JDKs', url: /get\.sdkman\.io/, binaries: ['sdk', 'java', 'mvn', 'gradle'] },
  { name: 'cargo-binstall', url: /cargo-bins\/cargo-binstall/, binaries: ['cargo-binstall'] },
];

/** `*-dev` (Debian, Alpine) and `*-devel` (RPM) packages: headers and static libraries. */
export const DEV_PACKAGE = /^[a-z0-9][a-z0-9+.-]*-(?:dev|devel)$/;
