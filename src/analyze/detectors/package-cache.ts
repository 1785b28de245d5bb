/**
 * Package manager caches and indexes left in the image: downloaded archives
 * and metadata a running container never reads. Each location is matched
 * anywhere a home directory may be (`/root`, `/home/*`, or `$HOME=/app`).
 */
import { groupByPrefix } from './common.js';
import type { Detector, DetectorResult, FileFact } from './types.js';

interface CacheLocation {
  title: string;
  /** Matches from the start of a path up to the cache root. */
  pattern: RegExp;
  hint: string;
  accept?: (file: FileFact) => boolean;
}

const HOME = '(?:^|/)';

const CACHE_LOCATIONS: readonly CacheLocation[] = [
  {
    title: 'apt package lists',
    pattern: /^\/var\/lib\/apt\/lists\//,
    hint: 'end the RUN that installs packages with `rm -rf /var/lib/apt/lists/*`',
    accept: (file) => !file.path.endsWith('/lock'),
  },
  {
    title: 'apt downloaded packages',
    pattern: /^\/var\/cache\/apt\//,
    hint: 'run `apt-get clean` in the same RUN as `apt-get install`',
    accept: (file) => /\.(deb|bin)$/.test(file.path),
  },
  { title: 'apk cache', pattern: /^\/var\/cache\/apk\//, hint: 'use `apk add --no-cache`' },
  { title: 'dnf cache', pattern: /^\/var\/cache\/dnf\//, hint: 'run `dnf clean all` in the same RUN' },
  { title: 'yum cache', pattern: /^\/var\/cache\/yum\//, hint: 'run `yum clean all` in the same RUN' },
  { title: 'zypper cache', pattern: /^\/var\/cache\/zypp\//, hint: 'run `zypper clean -a` in the same RUN' },
  {
    title: 'pip cache',
    pattern: new RegExp(`${HOME}\\.cache/pip/`),
    hint: 'use `pip install --no-cache-dir`',
  },
  {
    title: 'poetry cache',
    pattern: new RegExp(`${HOME}\\.cache/pypoetry/(?:cache|artifacts)/`),
    hint: 'run `poetry cache clear --all .` or mount the cache (`RUN --mount=type=cache`)',
  },
  {
    title: 'pipenv cache',
    pattern: new RegExp(`${HOME}\\.cache/pipenv/`),
    hint: 'set PIPENV_NOCACHE / remove it in the same RUN',
  },
  {
    title: 'uv cache',
    pattern: new RegExp(`${HOME}\\.cache/uv/`),
    hint: 'use `uv … --no-cache` or UV_NO_CACHE=1',
  },
  {
    title: 'npm cache',
    pattern: new RegExp(`${HOME}\\.npm/_cacache/`),
    hint: 'run `npm cache clean --force` in the same RUN',
  },
  {
    title: 'yarn cache',
    pattern: new RegExp(`^/usr/local/share/\\.cache/yarn/|${HOME}\\.cache/yarn/|${HOME}\\.yarn/berry/cache/`),
    hint: 'run `yarn cache clean` in the same RUN',
  },
  {
    title: 'pnpm store',
    pattern: new RegExp(`${HOME}\\.local/share/pnpm/store/|${HOME}\\.pnpm-store/|${HOME}\\.cache/pnpm/`),
    hint: 'run `pnpm store prune` or mount the store as a cache',
  },
  {
    title: 'Go build cache',
    pattern: new RegExp(`${HOME}\\.cache/go-build/`),
    hint: 'run `go clean -cache` or build in a separate stage',
  },
  {
    title: 'Go module cache',
    pattern: new RegExp(`${HOME}go/pkg/mod/`),
    hint: 'run `go clean -modcache` or build in a separate stage',
  },
  {
    title: 'cargo registry',
    pattern: new RegExp(`${HOME}\\.cargo/(?:registry|git)/|^/usr/local/cargo/(?:registry|git)/`),
    hint: 'build in a separate stage and copy only the binary',
  },
  {
    title: 'Maven repository',
    pattern: new RegExp(`${HOME}\\.m2/repository/`),
    hint: 'build in a separate stage and copy only the jar',
  },
  {
    title: 'Gradle caches',
    pattern: new RegExp(`${HOME}\\.gradle/(?:caches|wrapper/dists)/`),
    hint: 'build in a separate stage and copy only the jar',
  },
];

/** Every location above contains one of these. */
const MAYBE_CACHE =
  /^\/var\/(?:lib\/apt|cache)\/|\.cache\/|\.npm\/|go\/pkg\/mod\/|cargo\/|\.m2\/|\.gradle\/|pnpm|\.yarn\//;

export const packageCache: Detector = {
  id: 'package-cache',
  removal: 'default',
  title: 'Package manager caches',
  description:
    'Downloaded packages, indexes and build caches of apt, apk, dnf/yum, pip, poetry, npm, yarn, pnpm, Go, cargo, Maven and Gradle left in the final image.',
  // One cheap test first: the per-location patterns then run on the few files that can match.
  wants: (path) => MAYBE_CACHE.test(path),
  detect(context) {
    const results: DetectorResult[] = [];
    for (const location of CACHE_LOCATIONS) {
      results.push(
        ...groupByPrefix(
          context.files,
          location.pattern,
          () => ({ title: location.title, hint: location.hint }),
          location.accept,
        ),
      );
    }
    return results;
  },
};
