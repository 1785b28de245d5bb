import type { CopyInstruction, Instruction, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import {
  ECOSYSTEMS,
  type Ecosystem,
  type EcosystemId,
  nameMatches,
  sourceNamesManifest,
} from '../../knowledge/ecosystems.js';
import type { ContextFile, Rule, RuleFinding } from '../types.js';
import { contextRelative, hasVariable } from './paths.js';

/** `COPY . .` / `ADD . /app`: the whole build context. */
function copiesWholeContext(copy: CopyInstruction): boolean {
  return (
    copy.from === undefined &&
    copy.heredocs.length === 0 &&
    copy.sources.some((source) => !hasVariable(source) && contextRelative(source) === '')
  );
}

/** Context files at the top of the context that are manifests of the ecosystem. */
function rootManifests(files: readonly ContextFile[], ecosystem: Ecosystem): string[] {
  return files
    .filter(
      (file) =>
        !file.isDirectory &&
        !file.ignored &&
        !file.path.includes('/') &&
        ecosystem.manifests.some((glob) => nameMatches(glob, file.path)),
    )
    .map((file) => file.path)
    .sort((a, b) => order(ecosystem, a) - order(ecosystem, b) || a.localeCompare(b));
}

function order(ecosystem: Ecosystem, name: string): number {
  return ecosystem.manifests.findIndex((glob) => nameMatches(glob, name));
}

/** Whether the context says this ecosystem's dependency step is worth caching (a project with external dependencies). */
function contextHasProject(files: readonly ContextFile[], ecosystem: Ecosystem): boolean {
  const top = new Map(
    files.filter((file) => !file.path.includes('/') && !file.ignored).map((file) => [file.path, file]),
  );
  const has = (glob: string) => [...top.keys()].some((name) => nameMatches(glob, name));
  if (!ecosystem.markers.some(has)) return false;
  // Go: no go.sum means no external modules; a vendor/ directory means nothing to download.
  if (ecosystem.id === 'go') return top.has('go.sum') && !top.get('vendor')?.isDirectory;
  return true;
}

function hasCacheMount(run: RunInstruction): boolean {
  return run.mounts.some((mount) => mount.type === 'cache');
}

function usesVendoredModules(command: ShellCommand): boolean {
  return (
    command.program === 'go' &&
    command.args.some(
      (arg, i) => arg === '-mod=vendor' || (arg === '-mod' && command.args[i + 1] === 'vendor'),
    )
  );
}

/**
 * In a stage, `COPY . .` before the dependency step (go mod download, npm ci,
 * pip install -r, cargo, mvn, gradle, bundle, composer, dotnet restore): any
 * change to any source file invalidates the dependency layer, so every build
 * downloads everything again (《容器化：如何将镜像体积缩减 90%？》, "如何复用构建缓存").
 */
export const sourcesBeforeManifests: Rule = {
  meta: {
    id: 'sources-before-manifests',
    title: 'Sources copied before the dependency install step (the dependency layer never caches)',
    severity: 'info',
    fixable: false,
    articles: [ARTICLES.cutBy90],
    judges: 'build',
  },
  needsContext: true,
  check({ model, contextFiles }) {
    const findings: RuleFinding[] = [];
    // A `FROM <stage>` starts with what its base stage copied and installed.
    const atEnd = new Map<number, StageState>();
    const reported = new Set<string>();
    for (const stage of model.stages) {
      const inherited = stage.baseStage === undefined ? undefined : atEnd.get(stage.baseStage);
      const state: StageState = {
        broad: inherited?.broad,
        installedBefore: new Set(inherited?.installedBefore),
        instructions: [...(inherited?.instructions ?? []), ...stage.instructions],
      };
      atEnd.set(stage.index, state);
      if (!model.graph.reachable.has(stage.index)) continue;
      for (const instruction of stage.instructions) {
        if (isCopyOrAdd(instruction)) {
          if (!state.broad && copiesWholeContext(instruction)) state.broad = instruction;
          continue;
        }
        if (!isRun(instruction)) continue;
        for (const command of instruction.script.commands) {
          for (const ecosystem of ECOSYSTEMS) {
            if (!ecosystem.installs(command)) continue;
            const broad = state.broad;
            if (!broad) {
              state.installedBefore.add(ecosystem.id);
              continue;
            }
            const key = `${broad.index}:${ecosystem.id}`;
            if (state.installedBefore.has(ecosystem.id) || reported.has(key)) continue;
            reported.add(key);
            if (hasCacheMount(instruction) || usesVendoredModules(command)) continue;
            if (contextFiles && !contextHasProject(contextFiles, ecosystem)) continue;
            findings.push(
              finding(
                broad,
                instruction,
                command,
                ecosystem,
                manifestsCopiedBefore(state.instructions, broad, ecosystem.id),
                contextFiles,
              ),
            );
          }
        }
      }
    }
    return findings;
  },
};

interface StageState {
  /** The first COPY of the whole context in the stage's chain. */
  broad: CopyInstruction | undefined;
  /** Ecosystems whose dependencies were fetched before that COPY. */
  installedBefore: Set<EcosystemId>;
  /** The chain's instructions, root stage first. */
  instructions: Instruction[];
}

/** Whether a COPY before the broad one already copies this ecosystem's manifests. */
function manifestsCopiedBefore(
  instructions: readonly Instruction[],
  broad: CopyInstruction,
  id: EcosystemId,
): boolean {
  return instructions.some(
    (item) =>
      item.index < broad.index &&
      isCopyOrAdd(item) &&
      item.from === undefined &&
      item.sources.some((source) => sourceNamesManifest(source, id)),
  );
}

function finding(
  broad: CopyInstruction,
  run: RunInstruction,
  command: ShellCommand,
  ecosystem: Ecosystem,
  manifestsCopied: boolean,
  contextFiles: readonly ContextFile[] | undefined,
): RuleFinding {
  const copyText = broad.source.split(/\r?\n/)[0]!.trim();
  const commandText = command.text.length > 40 ? `${command.text.slice(0, 37)}…` : command.text;
  const manifests = contextFiles ? rootManifests(contextFiles, ecosystem) : [];
  const files = manifests.length > 0 ? manifests.join(' ') : ecosystem.defaultCopy;
  const destination = broad.destination.endsWith('/')
    ? broad.destination
    : broad.destination === '.'
      ? './'
      : `${broad.destination}/`;
  const step =
    command.nested || command.text.includes('\n')
      ? ecosystem.installStep
      : isPureInstall(command)
        ? `RUN ${command.text}`
        : ecosystem.installStep;
  const message =
    `\`${copyText}\` (line ${broad.range.start.line + 1}) comes before \`${commandText}\` (line ${run.range.start.line + 1}), ` +
    `which fetches ${ecosystem.label} dependencies: every source change invalidates that layer and they are downloaded again`;
  const hint = manifestsCopied
    ? `the manifests are already copied: run the dependency step (${step}) before \`${copyText}\``
    : `before \`${copyText}\`, add \`COPY ${files} ${destination}\` and \`${step}\``;
  return { message, range: broad.range, hint };
}

/** `npm ci`, `go mod download`… rather than a build that also fetches. */
function isPureInstall(command: ShellCommand): boolean {
  const [verb, second] = command.args.filter((arg) => !arg.startsWith('-'));
  switch (command.program) {
    case 'go':
      return verb === 'mod' && second === 'download';
    case 'cargo':
      return verb === 'fetch';
    case 'dotnet':
      return verb === 'restore';
    case 'mvn':
    case 'mvnw':
      return command.args.some((arg) => arg.startsWith('dependency:'));
    case 'gradle':
    case 'gradlew':
      return false;
    default:
      return true;
  }
}
