import type { RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import {
  cacheOf,
  cleansCache,
  type LanguageInstall,
  languageInstall,
} from '../../knowledge/language-packages.js';
import type { Rule, RuleFinding } from '../types.js';
import {
  deletedLater,
  environmentAt,
  finalImageRuns,
  homeAt,
  isMounted,
  normalisePath,
  variableFor,
  workdirAt,
} from './common.js';
import { chainAfter } from './shell-edit.js';

/** The first install of each tool in a RUN, with its position among the RUN's commands. */
function installsOf(
  run: RunInstruction,
): Array<{ install: LanguageInstall; command: ShellCommand; index: number }> {
  const seen = new Set<string>();
  const result: Array<{ install: LanguageInstall; command: ShellCommand; index: number }> = [];
  run.script.commands.forEach((command, index) => {
    const install = languageInstall(command);
    if (!install || seen.has(install.tool)) return;
    seen.add(install.tool);
    result.push({ install, command, index });
  });
  return result;
}

/**
 * Composer, Bundler (RubyGems), conda, uv and Poetry keep a copy of every
 * package they download: in the shipped image that is a second, compressed copy
 * of the dependencies (conda also keeps the extracted one). The cleanup in the
 * same RUN of 《Minimize Container Image Size》, applied to each tool's own
 * cache.
 */
export const languagePackageCache: Rule = {
  meta: {
    id: 'language-package-cache',
    title: 'Composer, Bundler, conda, uv or Poetry download cache left in the image',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize, ARTICLES.slimming],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      const env = environmentAt(model, run);
      const home = homeAt(model, run);
      const cwd = workdirAt(model, run);
      for (const { install, command, index } of installsOf(run)) {
        if (command.conditional) continue;
        const cache = cacheOf(install, {
          command,
          home,
          variable: (name) => variableFor(run, command, env, name),
        });
        // No cache (`--no-cache`), or none pare can place: nothing it can say for certain.
        if (!cache || cache.dir === undefined) continue;
        const dir = normalisePath(cache.dir, home, cwd);
        if (isMounted(run, dir) || deletedLater(run, index, `${dir}/x`, home, cwd)) continue;
        const commands = run.script.commands;
        if (commands.slice(index + 1).some((later) => cleansCache(install.tool, later))) continue;
        const fix = cache.clean ? chainAfter(model, run, lastOfTool(run, install), cache.clean) : undefined;
        findings.push({
          message: `\`${install.what}\` leaves ${cache.label} in ${dir}, a second copy of the dependencies in this layer; ${
            cache.clean ? `add \`${cache.clean}\` to this RUN` : `delete ${dir} in this RUN`
          }`,
          range: command.range,
          ...(fix ? { fix: [fix] } : {}),
          hint: `or mount a cache: RUN --mount=type=cache,target=${dir.replace(/\/\*\//, '/<version>/')} …`,
        });
      }
    }
    return findings;
  },
};

/** The last command of the RUN that uses the same tool: the cleanup goes after it. */
function lastOfTool(run: RunInstruction, install: LanguageInstall): ShellCommand {
  const commands = run.script.commands;
  for (let i = commands.length - 1; i >= 0; i--) {
    if (languageInstall(commands[i]!)?.tool === install.tool) return commands[i]!;
  }
  return commands[commands.length - 1]!;
}
