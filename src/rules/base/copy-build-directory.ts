import { stageChain } from '../../dockerfile/stages.js';
import { isRun, type RunInstruction, type ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isCargoBuild, isCompilerLink, isGoBuild, isJavaBuild } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import type { Rule, RuleFinding } from '../types.js';
import { copiesIntoFinalImage, type StageCopy, workdirAt } from './builds.js';

/** Builds of compiled languages: what ships is their artifact, not the directory they ran in. */
function isCompiledBuild(command: ShellCommand): boolean {
  if (isGoBuild(command) || isCargoBuild(command) || isCompilerLink(command) || isJavaBuild(command))
    return true;
  const sub = subcommand(command);
  return command.program === 'dotnet' && (sub === 'publish' || sub === 'build');
}

interface BuildIn {
  run: RunInstruction;
  command: ShellCommand;
  directory: string;
}

/** The compiled builds of a stage's chain and the directory each ran in (where known). */
function buildsOf(copy: StageCopy, model: Parameters<typeof stageChain>[0]): BuildIn[] {
  const result: BuildIn[] = [];
  for (const stage of stageChain(model, copy.source)) {
    for (const run of stage.instructions.filter(isRun)) {
      for (const command of run.script.commands) {
        if (!isCompiledBuild(command)) continue;
        const directory = workdirAt(model, run, command);
        if (directory !== undefined) result.push({ run, command, directory });
      }
    }
  }
  return result;
}

function holds(parent: string, path: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/**
 * `COPY --from=builder /app /app` where /app is the directory the Go, Rust,
 * C, Java or .NET build ran in: the final image gets the sources, the
 * intermediate objects and the build's caches (target/, build/, .gradle, obj/)
 * next to the one artifact it needed. Every article in knowledge/articles
 * copies only the artifact (`COPY --from=build /app/goapp /app`).
 */
export const copyBuildDirectory: Rule = {
  meta: {
    id: 'copy-build-directory',
    title: 'COPY --from copies the whole directory a compiled build ran in, not just its artifact',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.bestPractices, ARTICLES.slimming, ARTICLES.minimize, ARTICLES.cutBy90],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const copy of copiesIntoFinalImage(model)) {
      // The whole filesystem is copy-whole-filesystem's finding.
      const paths = copy.paths.filter((path) => path !== '/' && !/[*?[]/.test(path));
      const builds = buildsOf(copy, model);
      const carried = builds.find((build) => paths.some((path) => holds(path, build.directory)));
      if (!carried) continue;
      const text =
        carried.command.text.length > 40 ? `${carried.command.text.slice(0, 37)}…` : carried.command.text;
      const path = paths.find((candidate) => holds(candidate, carried.directory))!;
      findings.push({
        message: `COPY --from=${copy.copy.from} ${path} copies the whole directory \`${text}\` ran in (line ${
          carried.run.range.start.line + 1
        }): the sources, intermediate files and build caches ship next to the artifact; copy only the artifact`,
        range: copy.copy.range,
        hint: 'write the artifact to its own path in the builder (go build -o /out/app, dotnet publish -o /out, cp target/release/app /out/) and COPY --from only that',
      });
    }
    return findings;
  },
};
