import type { RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { BUILD_CACHE_ESTIMATES, type Ecosystem } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import {
  commandIndex,
  deletedLater,
  environmentAt,
  finalImageRuns,
  homeAt,
  isMounted,
  normalisePath,
  optionValue,
  variableFor,
  workdirAt,
} from './common.js';

interface Cache {
  /** Key into BUILD_CACHE_ESTIMATES. */
  key: string;
  label: string;
  path: string;
  /** Other commands that empty it: `go clean -cache`, `cargo clean`. */
  cleanedBy?: (command: ShellCommand) => boolean;
}

interface Use {
  ecosystem: Ecosystem;
  command: ShellCommand;
  caches: Cache[];
}

const GO_BUILDS = new Set(['build', 'install', 'test', 'run', 'vet', 'generate', 'get']);
const GO_MOD = new Set(['download', 'tidy', 'vendor', 'graph', 'verify', 'why']);
const CARGO_BUILDS = new Set([
  'build',
  'b',
  'test',
  't',
  'run',
  'r',
  'check',
  'c',
  'bench',
  'doc',
  'clippy',
  'rustc',
]);
const CARGO_FETCH = new Set(['install', 'fetch', 'vendor', 'update', 'generate-lockfile']);

function firstWord(args: readonly string[]): string | undefined {
  return args.find((arg) => !arg.startsWith('-'));
}

/** The build caches a command fills, at the paths this RUN would use. */
function cachesOf(
  command: ShellCommand,
  lookup: (name: string) => string | undefined,
  home: string,
  cwd: string | undefined,
): Use | undefined {
  const program = command.program;
  const args = command.args;
  const action = firstWord(args);
  if (program === 'go' && action) {
    const goCache = normalisePath(
      lookup('GOCACHE') ?? `${lookup('XDG_CACHE_HOME') ?? `${home}/.cache`}/go-build`,
      home,
      cwd,
    );
    const gopath = (lookup('GOPATH') ?? `${home}/go`).split(':')[0]!;
    const modCache = normalisePath(lookup('GOMODCACHE') ?? `${gopath}/pkg/mod`, home, cwd);
    const vendored = args.some((arg) => arg === '-mod=vendor') || /-mod=vendor/.test(lookup('GOFLAGS') ?? '');
    const build: Cache = {
      key: 'go-build',
      label: 'Go build cache',
      path: goCache,
      cleanedBy: (c) => c.program === 'go' && c.args[0] === 'clean' && c.args.includes('-cache'),
    };
    const mod: Cache = {
      key: 'go-mod',
      label: 'Go module cache',
      path: modCache,
      cleanedBy: (c) => c.program === 'go' && c.args[0] === 'clean' && c.args.includes('-modcache'),
    };
    if (GO_BUILDS.has(action)) return { ecosystem: 'go', command, caches: vendored ? [build] : [build, mod] };
    if (action === 'mod' && GO_MOD.has(args[args.indexOf('mod') + 1] ?? ''))
      return { ecosystem: 'go', command, caches: [mod] };
    return undefined;
  }
  if (program === 'cargo' && action) {
    const cargoHome = normalisePath(lookup('CARGO_HOME') ?? `${home}/.cargo`, home, cwd);
    const registry: Cache = { key: 'cargo-registry', label: 'Cargo registry', path: `${cargoHome}/registry` };
    if (CARGO_FETCH.has(action)) return { ecosystem: 'cargo', command, caches: [registry] };
    if (!CARGO_BUILDS.has(action)) return undefined;
    const targetDir = optionValue(args, '--target-dir') ?? lookup('CARGO_TARGET_DIR');
    if (targetDir === undefined && cwd === undefined)
      return { ecosystem: 'cargo', command, caches: [registry] };
    const target: Cache = {
      key: 'cargo-target',
      label: 'Cargo target directory',
      path: normalisePath(targetDir ?? 'target', home, cwd),
      cleanedBy: (c) => c.program === 'cargo' && c.args[0] === 'clean',
    };
    return { ecosystem: 'cargo', command, caches: [registry, target] };
  }
  if ((program === 'mvn' || program === 'mvnw' || program === 'mvnd') && action) {
    const local =
      args.find((arg) => arg.startsWith('-Dmaven.repo.local='))?.slice(19) ??
      /-Dmaven\.repo\.local=(\S+)/.exec(lookup('MAVEN_OPTS') ?? '')?.[1];
    return {
      ecosystem: 'maven',
      command,
      caches: [
        {
          key: 'maven',
          label: 'Maven repository',
          path: normalisePath(local ?? `${home}/.m2/repository`, home, cwd),
        },
      ],
    };
  }
  if ((program === 'gradle' || program === 'gradlew') && action) {
    const userHome =
      optionValue(args, '--gradle-user-home', '-g') ?? lookup('GRADLE_USER_HOME') ?? `${home}/.gradle`;
    return {
      ecosystem: 'gradle',
      command,
      caches: [{ key: 'gradle', label: 'Gradle caches', path: normalisePath(userHome, home, cwd) }],
    };
  }
  return undefined;
}

function leftCaches(run: RunInstruction, use: Use, home: string, cwd: string | undefined): Cache[] {
  const index = commandIndex(run, use.command);
  return use.caches.filter((cache) => {
    if (isMounted(run, cache.path)) return false;
    if (deletedLater(run, index, `${cache.path}/x`, home, cwd)) return false;
    if (cache.cleanedBy && run.script.commands.slice(index + 1).some(cache.cleanedBy)) return false;
    return true;
  });
}

const ADVICE: Record<Ecosystem, string> = {
  go: 'build in a golang stage and COPY only the binary, or use RUN --mount=type=cache,target=/root/.cache/go-build',
  cargo:
    'build in a rust stage and COPY only the binary, or mount caches on the registry and target directories',
  maven: 'build in a maven stage and COPY only the jar, or use RUN --mount=type=cache,target=/root/.m2',
  gradle: 'build in a gradle stage and COPY only the jar, or use RUN --mount=type=cache,target=/root/.gradle',
};

/**
 * `go build`, `cargo build`, `mvn package`, `gradle build` fill caches of
 * hundreds of MB (compiled packages, downloaded dependencies). In a build
 * stage that is fine; in the final image it ships.
 */
export const buildCacheInFinalImage: Rule = {
  meta: {
    id: 'build-cache-in-final-image',
    title: 'Go/Cargo/Maven/Gradle build caches left in the final image',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.cutBy90, ARTICLES.minimize, ARTICLES.bestPractices],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    // A cache filled by an earlier RUN (`go mod download`) is reported there, not again at `go build`.
    const seen = new Set<string>();
    for (const run of finalImageRuns(model)) {
      const env = environmentAt(model, run);
      const home = homeAt(model, run);
      const cwd = workdirAt(model, run);
      const reported = new Map<Ecosystem, { use: Use; caches: Map<string, Cache> }>();
      for (const command of run.script.commands) {
        const use = cachesOf(command, (name) => variableFor(run, command, env, name), home, cwd);
        if (!use) continue;
        const left = leftCaches(run, use, home, cwd).filter(
          (cache) => !seen.has(`${cache.key}:${cache.path}`),
        );
        if (left.length === 0) continue;
        const entry = reported.get(use.ecosystem) ?? { use, caches: new Map<string, Cache>() };
        for (const cache of left) if (!entry.caches.has(cache.key)) entry.caches.set(cache.key, cache);
        reported.set(use.ecosystem, entry);
      }
      for (const [ecosystem, { use, caches }] of reported) {
        const list = [...caches.values()];
        for (const cache of list) seen.add(`${cache.key}:${cache.path}`);
        const estimates = list.map((cache) => BUILD_CACHE_ESTIMATES[cache.key]!);
        const bytes = estimates.reduce((sum, estimate) => sum + estimate.bytes, 0);
        const words = firstWord(use.command.args) ?? '';
        findings.push({
          message: `\`${use.command.program} ${words}\` leaves the ${list.map((cache) => `${cache.label} (${cache.path})`).join(' and ')} in the final image`,
          range: use.command.range,
          saving: { bytes, basis: estimates.map((estimate) => estimate.basis).join('; ') },
          hint: ADVICE[ecosystem],
        });
      }
    }
    return findings;
  },
};
