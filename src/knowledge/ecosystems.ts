/**
 * What pare knows about language ecosystems: which files
 * are dependency manifests, which commands install dependencies or build,
 * where installed dependencies and build outputs live in a source tree, and
 * which context entries should never be shipped (VCS data, virtualenvs,
 * caches, secret-looking files). Pure data and small predicates; no I/O.
 */
import { posix } from 'node:path';
import type { ShellCommand } from '../dockerfile/types.js';

export type EcosystemId = 'go' | 'node' | 'python' | 'rust' | 'maven' | 'gradle' | 'ruby' | 'php' | 'dotnet';

export interface Ecosystem {
  id: EcosystemId;
  /** Shown in messages: "Go modules", "npm". */
  label: string;
  /** Manifest and lock file names (simple globs: `*` within a name). */
  manifests: readonly string[];
  /** The file whose presence at a directory's top marks a project of this kind. */
  markers: readonly string[];
  /** What to COPY before the sources when no build context tells which files exist. */
  defaultCopy: string;
  /** Suggested dependency step once the manifests are copied. */
  installStep: string;
  /** Directories of installed dependencies inside a project (next to a marker). */
  dependencyDirs: readonly string[];
  /** Directories a build writes next to the marker. */
  outputDirs: readonly string[];
  /** The command downloads or installs the project's dependencies (from its manifests). */
  installs(command: ShellCommand): boolean;
  /** The command builds the project (writes outputDirs). */
  builds(command: ShellCommand): boolean;
}

/** Non-option words of a command, in order. */
function words(command: ShellCommand): string[] {
  return command.args.filter((arg) => !arg.startsWith('-'));
}

function isPython(program: string): boolean {
  return /^python(?:\d+(?:\.\d+)?)?$/.test(program);
}

/** `pip install …` however it is spelled: pip, pip3, python -m pip, uv pip. Returns pip's own args. */
export function pipArgs(command: ShellCommand): string[] | undefined {
  if (/^pip(?:\d+(?:\.\d+)?)?$/.test(command.program)) return command.args;
  if (isPython(command.program)) {
    const m = command.args.indexOf('-m');
    if (m !== -1 && command.args[m + 1] === 'pip') return command.args.slice(m + 2);
  }
  if (command.program === 'uv' && command.args[0] === 'pip') return command.args.slice(1);
  return undefined;
}

const NPM_LIKE = new Set(['npm', 'yarn', 'pnpm', 'bun']);
const MVN_GOAL =
  /^(?:package|install|verify|compile|test|deploy|dependency:[\w-]+|spring-boot:[\w-]+|clean)$/;

export const ECOSYSTEMS: readonly Ecosystem[] = [
  {
    id: 'go',
    label: 'Go module',
    manifests: ['go.mod', 'go.sum', 'go.work', 'go.work.sum'],
    markers: ['go.mod'],
    defaultCopy: 'go.mod go.sum',
    installStep: 'RUN go mod download',
    dependencyDirs: [],
    outputDirs: [],
    installs(command) {
      if (command.program !== 'go') return false;
      const [verb, second] = words(command);
      if (verb === 'mod') return second === 'download';
      // `go install tool@version` does not read the project's go.mod.
      if (verb === 'install') return !words(command).some((word) => word.includes('@'));
      return verb === 'build' || verb === 'test' || verb === 'generate' || verb === 'vet';
    },
    builds(command) {
      return command.program === 'go' && (words(command)[0] === 'build' || words(command)[0] === 'install');
    },
  },
  {
    id: 'node',
    label: 'npm',
    manifests: [
      'package.json',
      'package-lock.json',
      'npm-shrinkwrap.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'bun.lockb',
      'bun.lock',
      '.yarnrc.yml',
      'pnpm-workspace.yaml',
    ],
    markers: ['package.json'],
    defaultCopy: 'package*.json',
    installStep: 'RUN npm ci',
    dependencyDirs: ['node_modules', 'bower_components'],
    outputDirs: ['dist', 'build', '.next', '.nuxt', '.svelte-kit', '.output', 'coverage'],
    installs(command) {
      if (!NPM_LIKE.has(command.program)) return false;
      const [verb, ...rest] = words(command);
      if (command.program === 'yarn' && verb === undefined) return true;
      if (verb === 'ci') return command.program === 'npm';
      // `npm install express` adds a package; a bare install reads the manifests.
      if (verb === 'install' || verb === 'i')
        return rest.length === 0 && !command.args.some((a) => a === '-g' || a === '--global');
      return false;
    },
    builds(command) {
      if (!NPM_LIKE.has(command.program)) return false;
      const [verb, script] = words(command);
      if (verb === 'run' || verb === 'run-script')
        return script !== undefined && /build|compile|bundle|export/.test(script);
      return (
        verb === 'build' ||
        (command.program !== 'npm' && verb !== undefined && /^(?:build|compile)/.test(verb))
      );
    },
  },
  {
    id: 'python',
    label: 'pip',
    manifests: [
      'requirements*.txt',
      'requirements*.in',
      'constraints*.txt',
      'pyproject.toml',
      'poetry.lock',
      'Pipfile',
      'Pipfile.lock',
      'uv.lock',
      'pdm.lock',
      'setup.py',
      'setup.cfg',
    ],
    markers: ['requirements.txt', 'pyproject.toml', 'Pipfile', 'setup.py'],
    defaultCopy: 'requirements.txt',
    installStep: 'RUN pip install --no-cache-dir -r requirements.txt',
    dependencyDirs: [],
    outputDirs: ['build', 'dist'],
    installs(command) {
      const pip = pipArgs(command);
      if (pip)
        return (
          pip[0] === 'install' &&
          pip.some((arg) => arg === '-r' || arg === '--requirement' || /^-r.|^--requirement=/.test(arg))
        );
      const [verb] = words(command);
      if (command.program === 'poetry' || command.program === 'pdm')
        return verb === 'install' || verb === 'sync';
      if (command.program === 'pipenv') return verb === 'install' || verb === 'sync';
      if (command.program === 'uv') return verb === 'sync';
      return false;
    },
    builds(command) {
      if (command.program === 'poetry' || command.program === 'pdm' || command.program === 'uv')
        return words(command)[0] === 'build';
      if (isPython(command.program)) {
        const m = command.args.indexOf('-m');
        if (m !== -1 && command.args[m + 1] === 'build') return true;
        return (
          command.args[0] === 'setup.py' && /^(?:build|bdist|sdist|bdist_wheel)/.test(command.args[1] ?? '')
        );
      }
      return false;
    },
  },
  {
    id: 'rust',
    label: 'Cargo',
    manifests: ['Cargo.toml', 'Cargo.lock'],
    markers: ['Cargo.toml'],
    defaultCopy: 'Cargo.toml Cargo.lock',
    installStep: 'RUN cargo fetch',
    dependencyDirs: [],
    outputDirs: ['target'],
    installs(command) {
      if (command.program !== 'cargo') return false;
      const [verb, ...rest] = words(command);
      // `cargo install ripgrep` installs a crate from crates.io, not the project.
      if (verb === 'install') return command.args.includes('--path') || rest.length === 0;
      // cargo-chef: `prepare` reads the sources into a recipe; `cook` fetches and builds the dependencies.
      if (verb === 'chef') return rest[0] === 'cook';
      return verb === 'build' || verb === 'fetch' || verb === 'test' || verb === 'vendor';
    },
    builds(command) {
      return (
        command.program === 'cargo' && (words(command)[0] === 'build' || words(command)[0] === 'install')
      );
    },
  },
  {
    id: 'maven',
    label: 'Maven',
    manifests: ['pom.xml', '.mvn', 'mvnw'],
    markers: ['pom.xml'],
    defaultCopy: 'pom.xml',
    installStep: 'RUN mvn -B dependency:go-offline',
    dependencyDirs: [],
    outputDirs: ['target'],
    installs(command) {
      return (
        (command.program === 'mvn' || command.program === 'mvnw') &&
        words(command).some((word) => MVN_GOAL.test(word))
      );
    },
    builds(command) {
      return (
        (command.program === 'mvn' || command.program === 'mvnw') &&
        words(command).some((word) => /^(?:package|install|verify|deploy)$/.test(word))
      );
    },
  },
  {
    id: 'gradle',
    label: 'Gradle',
    manifests: [
      'build.gradle',
      'build.gradle.kts',
      'settings.gradle',
      'settings.gradle.kts',
      'gradle.properties',
      'gradle',
      'gradlew',
      'libs.versions.toml',
    ],
    markers: ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'],
    defaultCopy: 'build.gradle* settings.gradle*',
    installStep: 'RUN gradle dependencies --no-daemon',
    dependencyDirs: ['.gradle'],
    outputDirs: ['build', '.gradle'],
    installs(command) {
      return (command.program === 'gradle' || command.program === 'gradlew') && words(command).length > 0;
    },
    builds(command) {
      return (
        (command.program === 'gradle' || command.program === 'gradlew') &&
        words(command).some((word) =>
          /^(?::?[\w-]+:)*(?:build|assemble|bootJar|jar|shadowJar|installDist|war)$/.test(word),
        )
      );
    },
  },
  {
    id: 'ruby',
    label: 'Bundler',
    manifests: ['Gemfile', 'Gemfile.lock', 'gems.rb', 'gems.locked', '*.gemspec'],
    markers: ['Gemfile', 'gems.rb'],
    defaultCopy: 'Gemfile Gemfile.lock',
    installStep: 'RUN bundle install',
    dependencyDirs: ['vendor/bundle', '.bundle'],
    outputDirs: [],
    installs(command) {
      if (command.program !== 'bundle' && command.program !== 'bundler') return false;
      const [verb] = words(command);
      return verb === undefined || verb === 'install';
    },
    builds() {
      return false;
    },
  },
  {
    id: 'php',
    label: 'Composer',
    manifests: ['composer.json', 'composer.lock', 'auth.json'],
    markers: ['composer.json'],
    defaultCopy: 'composer.json composer.lock',
    installStep: 'RUN composer install --no-dev --no-scripts --no-autoloader',
    dependencyDirs: ['vendor'],
    outputDirs: [],
    installs(command) {
      return (
        (command.program === 'composer' || command.program === 'composer.phar') &&
        words(command)[0] === 'install'
      );
    },
    builds() {
      return false;
    },
  },
  {
    id: 'dotnet',
    label: 'NuGet',
    manifests: [
      '*.csproj',
      '*.fsproj',
      '*.vbproj',
      '*.sln',
      'packages.lock.json',
      'NuGet.config',
      'nuget.config',
      'Directory.Build.props',
      'Directory.Packages.props',
      'global.json',
    ],
    markers: ['*.csproj', '*.fsproj', '*.vbproj', '*.sln'],
    defaultCopy: '*.csproj',
    installStep: 'RUN dotnet restore',
    dependencyDirs: [],
    outputDirs: ['bin', 'obj'],
    installs(command) {
      return (
        command.program === 'dotnet' &&
        ['restore', 'build', 'publish', 'test', 'pack'].includes(words(command)[0] ?? '')
      );
    },
    builds(command) {
      return command.program === 'dotnet' && ['build', 'publish', 'pack'].includes(words(command)[0] ?? '');
    },
  },
];

export function ecosystem(id: EcosystemId): Ecosystem {
  return ECOSYSTEMS.find((item) => item.id === id)!;
}

/** Whether a file name matches a simple name glob (`*` and `?` within one name). */
export function nameMatches(glob: string, name: string): boolean {
  if (!glob.includes('*') && !glob.includes('?') && !glob.includes('[')) return glob === name;
  return globRegExp(glob).test(name);
}

const globCache = new Map<string, RegExp>();

/** A Dockerfile/Go-style glob for one path segment or a whole path: `*` and `?` do not cross `/`. */
export function globRegExp(glob: string): RegExp {
  let regex = globCache.get(glob);
  if (!regex) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const char = glob[i]!;
      if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else if (char === '[') {
        const close = glob.indexOf(']', i + 1);
        if (close === -1) source += '\\[';
        else {
          source += `[${glob
            .slice(i + 1, close)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\')}]`;
          i = close;
        }
      } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    regex = new RegExp(`^${source}$`);
    globCache.set(glob, regex);
  }
  return regex;
}

/** Whether a COPY source word (possibly a glob like `package*.json` or `go.*`) names a manifest of the ecosystem. */
export function sourceNamesManifest(source: string, id: EcosystemId): boolean {
  const name = posix.basename(source);
  const item = ecosystem(id);
  if (item.manifests.some((glob) => nameMatches(glob, name))) return true;
  // A glob source such as `go.*` or `package*.json`: does it match one of the manifests?
  if (/[*?[]/.test(name))
    return item.manifests.some((manifest) => !/[*?[]/.test(manifest) && nameMatches(name, manifest));
  return false;
}

// ---------------------------------------------------------------------------
// Build context entries that should not be sent or shipped.

export type JunkCategory =
  | 'vcs'
  | 'dependencies'
  | 'virtualenv'
  | 'build-output'
  | 'cache'
  | 'editor'
  | 'logs'
  | 'secrets';

export interface JunkCategoryInfo {
  label: string;
  /** Below this many bytes the category is not worth a finding (secrets: always). */
  minBytes: number;
  /** What to write in .dockerignore for an entry of this category. */
  advice: string;
}

export const JUNK_CATEGORIES: Record<JunkCategory, JunkCategoryInfo> = {
  vcs: { label: 'version-control data', minBytes: 0, advice: '.git' },
  dependencies: { label: 'installed dependencies', minBytes: 0, advice: 'node_modules' },
  virtualenv: { label: 'Python virtualenvs', minBytes: 0, advice: '.venv' },
  'build-output': { label: 'build outputs', minBytes: 0, advice: 'dist' },
  cache: { label: 'tool caches', minBytes: 1 << 20, advice: '**/__pycache__' },
  editor: { label: 'editor settings', minBytes: 1 << 20, advice: '.idea' },
  logs: { label: 'log files', minBytes: 1 << 20, advice: '*.log' },
  secrets: { label: 'secret-looking files', minBytes: 0, advice: '.env' },
};

/** Directories that are version-control data wherever they are. */
export const VCS_DIRS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', '.bzr']);

/** Tool caches that are never needed in an image. */
export const CACHE_DIRS: ReadonlySet<string> = new Set([
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.eslintcache',
  '.parcel-cache',
  '.turbo',
  '.sass-cache',
  '.terraform',
]);

export const EDITOR_DIRS: ReadonlySet<string> = new Set(['.idea', '.vscode', '.vs', '.fleet']);

/** Names a virtualenv directory usually has; confirmed by `pyvenv.cfg` or `bin/activate` inside. */
export const VIRTUALENV_NAMES: ReadonlySet<string> = new Set([
  '.venv',
  'venv',
  'env',
  '.env',
  'virtualenv',
  '.virtualenv',
]);
export const VIRTUALENV_MARKERS: readonly string[] = ['pyvenv.cfg', 'bin/activate', 'Scripts/activate'];

/** Directories of credentials (whole folder is secret). */
export const SECRET_DIRS: ReadonlySet<string> = new Set([
  '.aws',
  '.ssh',
  '.gnupg',
  '.kube',
  '.azure',
  '.docker',
]);

/** Example files that hold no real secret. */
const SECRET_EXAMPLE =
  /\.(?:example|sample|template|dist|defaults?|tmpl|tpl)$|^\.env\.(?:example|sample|template|dist|defaults?)/i;

/** File names that look like credentials or private keys. */
export function isSecretLookingFile(name: string): boolean {
  if (SECRET_EXAMPLE.test(name)) return false;
  if (name === '.env' || /^\.env\.[\w.-]+$/.test(name) || /^[\w.-]+\.env$/.test(name)) return true;
  if (/\.(?:pem|key|p12|pfx|jks|keystore|ppk|asc|gpg)$/i.test(name))
    return !/\.pub\.(?:pem|key)$/i.test(name);
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:[._-](?!.*\.pub$)[\w.-]*)?$/.test(name)) return true;
  if (
    [
      '.npmrc',
      '.pypirc',
      '.netrc',
      '_netrc',
      '.git-credentials',
      '.htpasswd',
      '.dockercfg',
      '.vault-token',
    ].includes(name)
  )
    return true;
  return (
    /^credentials(?:\.(?:json|ya?ml|xml|ini|csv|txt|cfg|conf))?$/i.test(name) ||
    /^secrets?\.(?:json|ya?ml|toml|ini|env)$/i.test(name)
  );
}

export function isLogFile(name: string): boolean {
  return (
    name.endsWith('.log') || /^(?:npm-debug|yarn-error|yarn-debug|lerna-debug|pnpm-debug)\.log/.test(name)
  );
}

// ---------------------------------------------------------------------------
// Archives

/** Local archives ADD extracts (tar, optionally gzip/bzip2/xz/zstd compressed). */
const TAR_ARCHIVE = /\.(?:tar|tgz|tbz2?|tb2|taz|tz2|txz|tlz|tzst|tar\.(?:gz|bz2|xz|lz|lzma|z|zst|Z))$/i;

export function isTarArchiveName(path: string): boolean {
  return TAR_ARCHIVE.test(path);
}

/** Downloads that are unpacked or installed, never used as they are. */
const ARCHIVE_OR_PACKAGE =
  /\.(?:tar|tgz|tbz2?|txz|tzst|tar\.(?:gz|bz2|xz|lz|lzma|z|zst)|gz|bz2|xz|zst|lz|7z|zip|rar|deb|rpm|apk|whl|msi|pkg|dmg|run)$/i;

export function isArchiveOrPackageName(path: string): boolean {
  return ARCHIVE_OR_PACKAGE.test(path);
}

export function isRemoteSource(source: string): boolean {
  return /^(?:https?|ftp):\/\//i.test(source) || /^git@[^:]+:/.test(source) || /^git:\/\//.test(source);
}

export function isGitSource(source: string): boolean {
  return /^git@|^git:\/\//.test(source) || /^https?:\/\/[^?#]+\.git(?:[#?].*)?$/i.test(source);
}

/** The path part of a URL, without query or fragment: `https://x/a.tgz?x=1` → `/a.tgz`. */
export function urlPath(url: string): string {
  const match = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(url);
  return match?.[1] ?? '/';
}

/** The file name wget/curl -O would save a URL as. */
export function urlFileName(url: string): string | undefined {
  const path = urlPath(url);
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === '' ? undefined : decodeURIComponentSafe(name);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
