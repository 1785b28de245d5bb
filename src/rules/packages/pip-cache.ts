import type { DockerfileModel, RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { HEAVY_WHEELS, PIP } from '../../knowledge/packages.js';
import type { Rule, RuleFinding, SavingEstimate } from '../types.js';
import {
  deletedLater,
  environmentAt,
  finalImageRuns,
  firstMatchUpTo,
  hasMountEndingWith,
  homeAt,
  isMounted,
  normalisePath,
  optionValue,
  packageOperands,
  variableFor,
  workdirAt,
} from './common.js';
import { packageCommands } from './managers.js';
import { insertAfterArg } from './shell-edit.js';

/** A pip config (pip.conf, `pip config set`) written or copied earlier may turn the cache off. */
function configMayDisableCache(model: DockerfileModel, run: RunInstruction): boolean {
  return (
    firstMatchUpTo(model, run, 'pip-config', (item) => {
      if (item.keyword === 'RUN')
        return /(?<![A-Za-z_])no[-_]cache[-_]dir\s*=|config\s+set\s+\S*no-cache-dir/i.test(item.source);
      if ((item.keyword === 'COPY' || item.keyword === 'ADD') && 'destination' in item) {
        return (
          /pip\.conf$|\/pip\/?$/.test(item.destination) ||
          item.sources.some((source) => /pip\.conf$/.test(source))
        );
      }
      return false;
    }) !== undefined
  );
}

function wheelEstimate(packages: string[]): SavingEstimate | undefined {
  const known: string[] = [];
  let bytes = 0;
  for (const spec of packages) {
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec)?.[0]?.toLowerCase().replace(/[._]/g, '-');
    const size = name === undefined ? undefined : HEAVY_WHEELS[name];
    if (size === undefined || known.includes(name!)) continue;
    known.push(name!);
    bytes += size;
  }
  if (known.length === 0) return undefined;
  return {
    bytes,
    basis: `estimated: the pip cache keeps a copy of every downloaded wheel; approximate manylinux x86_64 wheel sizes: ${known
      .map((name) => `${name} ≈ ${Math.round(HEAVY_WHEELS[name]! / 1e6)} MB`)
      .join(', ')}`,
  };
}

/**
 * pip keeps every wheel it downloads (and builds) in ~/.cache/pip. In the
 * final image that is a second copy of the dependencies. Not reported when
 * PIP_NO_CACHE_DIR is set (pip treats any valid value as "no cache"), when the
 * cache is a cache mount or removed in the same RUN, or outside the final image.
 */
export const pipCache: Rule = {
  meta: {
    id: 'pip-cache',
    title: '`pip install` without --no-cache-dir keeps the wheel cache in the image',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize, ARTICLES.bestPractices],
    judges: 'image',
    hadolint: ['DL3042'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      const pips = packageCommands(run).filter((item) => item.tool === 'pip' && item.action === 'install');
      if (pips.length === 0) continue;
      const env = environmentAt(model, run);
      if (env.PIP_CONFIG_FILE || configMayDisableCache(model, run)) continue;
      const home = homeAt(model, run);
      const cwd = workdirAt(model, run);
      for (const item of pips) {
        if (hasOption(item.args, '--no-cache-dir')) continue;
        if (variableFor(run, item.command, env, 'PIP_NO_CACHE_DIR')) continue;
        const explicit =
          optionValue(item.args, '--cache-dir') ?? variableFor(run, item.command, env, 'PIP_CACHE_DIR');
        const xdg = variableFor(run, item.command, env, 'XDG_CACHE_HOME');
        const cacheDir = normalisePath(explicit ?? `${xdg ?? `${home}/.cache`}/pip`, home, cwd);
        if (
          isMounted(run, cacheDir) ||
          (explicit === undefined && hasMountEndingWith(run, '/.cache/pip', '/.cache'))
        )
          continue;
        if (deletedLater(run, item.index, `${cacheDir}/http`, home, cwd)) continue;
        const fix = insertAfterArg(model, run, item.command, item.actionIndex, '--no-cache-dir');
        const saving = wheelEstimate(
          packageOperands({ ...item.command, args: item.args }, PIP.optionsWithValue),
        );
        findings.push({
          message: `\`pip install\` keeps downloaded wheels in ${cacheDir}, shipped with this layer${''}; add --no-cache-dir`,
          range: item.command.range,
          ...(saving ? { saving } : {}),
          ...(fix ? { fix: [fix] } : {}),
          hint: 'or set ENV PIP_NO_CACHE_DIR=1, or mount a cache: RUN --mount=type=cache,target=/root/.cache/pip',
        });
      }
    }
    return findings;
  },
};
