import { shippedStages } from '../../dockerfile/stages.js';
import type { DockerfileModel, Instruction, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isRemoteSource } from '../../knowledge/ecosystems.js';
import {
  clonedDirectory,
  downloadedFiles,
  installsNodeProject,
  madeDirectories,
  type PackageManager,
  packageChange,
  prunesNodeProject,
} from '../../knowledge/file-commands.js';
import { formatBytes } from '../../util/bytes.js';
import { absolutePath } from '../../util/image-path.js';
import type { ContextFile, Rule, RuleFinding } from '../types.js';
import { listSome, removalCovers, removedPaths, shortCommand } from '../util.js';
import { mergeRunsEdits } from './merge-runs.js';
import {
  type ContextIndex,
  type CopiedPath,
  commandDirectories,
  contextEntryFor,
  copiedBytes,
  copiedPaths,
  displayPath,
  entryBytes,
  hasVariable,
  indexContext,
  isWithin,
  measuredBytes,
  workdirAt,
} from './paths.js';

/** Something an instruction put in its layer. */
interface Creation {
  instruction: Instruction;
  path: string;
  /**
   * `file`/`dir`: exactly this path was created (a dir with everything in it);
   * `tree`: a COPY filled this directory (only paths the context confirms came from it);
   * `unknown`: the COPY put something at this path.
   */
  kind: 'file' | 'dir' | 'tree' | 'unknown';
  how: string;
  copied?: CopiedPath;
  removed?: boolean;
}

interface Installed {
  instruction: RunInstruction;
  manager: PackageManager | 'npm-project';
  name: string;
  how: string;
  removed?: boolean;
}

export interface DeletedTarget {
  what: string;
  creator: Instruction;
  how: string;
  bytes?: number;
  /** The creator was a COPY/ADD (fix: narrow it or use .dockerignore). */
  copied: boolean;
  package: boolean;
}

export interface LaterDeletion {
  run: RunInstruction;
  command: ShellCommand;
  targets: DeletedTarget[];
}

/** Commands that do not fill a directory they just made. */
const TRIVIAL = new Set([
  'mkdir',
  'chmod',
  'chown',
  'ln',
  'touch',
  'echo',
  'true',
  ':',
  'cd',
  'set',
  'printf',
  'test',
  '[',
  'groupadd',
  'useradd',
  'adduser',
  'addgroup',
]);

/** Paths a RUN mount keeps out of the layer (cache, tmpfs, bind, secret targets). */
function mountedPaths(run: RunInstruction, cwd: string | undefined): string[] {
  return run.mounts
    .map((mount) => mount.target)
    .filter((target): target is string => target !== undefined && !hasVariable(target))
    .map((target) => absolutePath(cwd ?? '/', target));
}

function label(instruction: Instruction): string {
  return `${instruction.keyword} at line ${instruction.range.start.line + 1}`;
}

/**
 * Every command in a final-image RUN that deletes files or packages an earlier
 * instruction of the final image's stages created. Shared with consecutive-runs,
 * which leaves these cases to this rule.
 */
const deletionsCache = new WeakMap<
  DockerfileModel,
  { files: readonly ContextFile[] | undefined; result: LaterDeletion[] }
>();

export function findLaterDeletions(
  model: DockerfileModel,
  contextFiles?: readonly ContextFile[],
): LaterDeletion[] {
  const cached = deletionsCache.get(model);
  if (cached && cached.files === contextFiles) return cached.result;
  const result = computeLaterDeletions(model, contextFiles);
  deletionsCache.set(model, { files: contextFiles, result });
  return result;
}

function computeLaterDeletions(
  model: DockerfileModel,
  contextFiles?: readonly ContextFile[],
): LaterDeletion[] {
  const context = contextFiles ? indexContext(contextFiles) : undefined;
  const creations: Creation[] = [];
  const installed: Installed[] = [];
  const result: LaterDeletion[] = [];

  for (const stage of shippedStages(model)) {
    for (const instruction of stage.instructions) {
      if (isCopyOrAdd(instruction)) {
        // Remote ADD is add-remote-archive's finding.
        if (instruction.keyword === 'ADD' && instruction.sources.some(isRemoteSource)) continue;
        for (const copied of copiedPaths(model, instruction, context)) {
          creations.push({
            instruction,
            path: copied.path,
            kind: copied.kind === 'dir' ? 'tree' : copied.kind,
            how: `${instruction.keyword === 'ADD' ? 'added' : 'copied'} by ${instruction.keyword}${instruction.from !== undefined ? ` --from=${instruction.from}` : ''}`,
            copied,
          });
        }
        continue;
      }
      if (!isRun(instruction)) continue;
      const workdir = workdirAt(model, instruction);
      const directories = commandDirectories(instruction, workdir);
      const mounted = mountedPaths(instruction, workdir);
      const underMount = (path: string) => mounted.some((target) => isWithin(path, target));

      // 1. What this RUN deletes that an earlier instruction created.
      for (const command of instruction.script.commands) {
        const cwd = directories.get(command);
        const targets = [
          ...deletedPaths(command, cwd, underMount, creations, context),
          ...removedPackages(command, installed),
        ];
        if (targets.length > 0) result.push({ run: instruction, command, targets });
      }

      // 2. What this RUN creates, unless it deletes it itself or it lives on a mount.
      const made: Creation[] = [];
      const substantial = instruction.script.commands.some((command) => !TRIVIAL.has(command.program));
      for (const command of instruction.script.commands) {
        const cwd = directories.get(command);
        const resolve = (path: string) =>
          hasVariable(path) || (cwd === undefined && !path.startsWith('/'))
            ? undefined
            : absolutePath(cwd ?? '/', path);
        const add = (path: string | undefined, kind: Creation['kind'], how: string) => {
          if (path !== undefined && !underMount(path)) made.push({ instruction, path, kind, how });
        };
        for (const file of downloadedFiles(command))
          add(resolve(file), 'file', `downloaded by ${command.program}`);
        const cloned = clonedDirectory(command);
        if (cloned !== undefined) add(resolve(cloned), 'dir', 'cloned by git');
        if (substantial)
          for (const dir of madeDirectories(command)) add(resolve(dir), 'dir', 'made by mkdir and filled');
        // A deletion later in the same RUN undoes the creation: nothing is left in the layer.
        const removed = removedPaths(command)
          .map((path) => resolve(path))
          .filter((path): path is string => path !== undefined);
        for (const item of made)
          if (removed.some((pattern) => removalCovers(pattern, item.path))) item.removed = true;

        const packages = packageChange(command);
        if (packages?.action === 'install') {
          for (const name of packages.names)
            installed.push({
              instruction,
              manager: packages.manager,
              name,
              how: `installed by ${command.program}`,
            });
        } else if (packages?.action === 'remove') {
          for (const item of installed) {
            if (
              item.instruction === instruction &&
              item.manager === packages.manager &&
              packages.names.includes(item.name)
            )
              item.removed = true;
          }
        }
        if (installsNodeProject(command))
          installed.push({
            instruction,
            manager: 'npm-project',
            name: 'node_modules',
            how: `installed by ${command.name} ${command.args[0]}`,
          });
        if (prunesNodeProject(command))
          for (const item of installed)
            if (item.instruction === instruction && item.manager === 'npm-project') item.removed = true;
      }
      creations.push(...made.filter((item) => !item.removed));
    }
  }
  return result;
}

function deletedPaths(
  command: ShellCommand,
  cwd: string | undefined,
  underMount: (path: string) => boolean,
  creations: Creation[],
  context: ContextIndex | undefined,
): DeletedTarget[] {
  const targets: DeletedTarget[] = [];
  for (const written of removedPaths(command)) {
    if (hasVariable(written) || (cwd === undefined && !written.startsWith('/'))) continue;
    const pattern = absolutePath(cwd ?? '/', written);
    if (pattern === '/' || underMount(pattern)) continue;
    for (const creation of creations) {
      if (creation.removed) continue;
      let bytes: number | undefined;
      let what = pattern;
      if (removalCovers(pattern, creation.path)) {
        what = creation.path;
        // The whole created path goes.
        if (creation.copied && context) bytes = copiedBytes(creation.copied, context);
      } else if (creation.kind === 'dir' && isWithin(pattern, creation.path)) {
        // Part of a directory this Dockerfile made and filled.
      } else if (creation.kind === 'tree' && creation.copied && context && isWithin(pattern, creation.path)) {
        const entry = contextEntryFor(creation.copied, pattern, context);
        if (!entry) continue;
        bytes = entryBytes(context, entry);
      } else continue;
      creation.removed = true;
      targets.push({
        what: displayPath(what),
        creator: creation.instruction,
        how: creation.how,
        ...(bytes !== undefined ? { bytes } : {}),
        copied: creation.copied !== undefined,
        package: false,
      });
    }
  }
  return targets;
}

function removedPackages(command: ShellCommand, installed: Installed[]): DeletedTarget[] {
  const targets: DeletedTarget[] = [];
  const packages = packageChange(command);
  if (packages?.action === 'remove') {
    for (const item of installed) {
      if (item.removed || item.manager !== packages.manager || !packages.names.includes(item.name)) continue;
      item.removed = true;
      targets.push({
        what: `package ${item.name}`,
        creator: item.instruction,
        how: item.how,
        copied: false,
        package: true,
      });
    }
  }
  if (prunesNodeProject(command)) {
    for (const item of installed) {
      if (item.removed || item.manager !== 'npm-project') continue;
      item.removed = true;
      targets.push({
        what: 'node_modules (devDependencies)',
        creator: item.instruction,
        how: item.how,
        copied: false,
        package: true,
      });
    }
  }
  return targets;
}

/** Below this many bytes a measured waste is only worth an info. */
const SMALL = 64 * 1024;

/**
 * `RUN rm x.tar.gz` after the RUN that downloaded it, `RUN apt-get purge gcc`
 * after the RUN that installed it: a layer can only add, so the bytes stay in
 * the earlier layer and the deletion just adds whiteouts.
 */
export const deleteInLaterLayer: Rule = {
  meta: {
    id: 'delete-in-later-layer',
    title: 'Files or packages deleted in a later layer than the one that created them',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize],
    judges: 'image',
  },
  needsContext: true,
  check({ model, contextFiles }) {
    const findings: RuleFinding[] = [];
    for (const deletion of findLaterDeletions(model, contextFiles)) {
      const [first, ...others] = deletion.targets;
      if (!first) continue;
      const more = others.length > 0 ? ` (and ${others.length} more)` : '';
      const { bytes, allKnown } = measuredBytes(deletion.targets);
      const creators = [...new Set(deletion.targets.map((target) => target.creator))].sort(
        (a, b) => a.index - b.index,
      );
      const size = bytes > 0 ? ` (${formatBytes(bytes)})` : '';
      const message =
        `\`${shortCommand(deletion.command.text)}\` deletes ${first.what}${size}${more}, ` +
        `${first.how} at line ${first.creator.range.start.line + 1}: the bytes stay in that earlier layer`;
      const finding: RuleFinding = { message, range: deletion.command.range };
      if (bytes > 0) {
        finding.saving = {
          bytes,
          basis: `measured in the build context: size of what ${listSome(creators, label)} copied and this RUN deletes`,
        };
      }
      if (allKnown && bytes < SMALL) finding.severity = 'info';
      const runs = creators.every(isRun) ? consecutiveRuns(model, creators[0]!, deletion.run) : undefined;
      const fix = runs ? mergeRunsEdits(model, runs) : undefined;
      if (fix) finding.fix = fix;
      finding.hint = hintFor(deletion.targets, fix !== undefined);
      findings.push(finding);
    }
    return findings;
  },
};

/** The RUNs from `first` to `last` when they follow each other directly in one stage. */
function consecutiveRuns(
  model: DockerfileModel,
  first: Instruction,
  last: RunInstruction,
): RunInstruction[] | undefined {
  if (first.stageIndex !== last.stageIndex) return undefined;
  const runs = model.instructions.slice(first.index, last.index + 1);
  return runs.every(isRun) ? runs : undefined;
}

function hintFor(targets: DeletedTarget[], merged: boolean): string {
  if (merged) return 'merge the RUNs so the files are created and deleted in one layer (pare fix does this)';
  if (targets.some((target) => target.copied)) {
    return 'copy only what the image needs (narrow the COPY or list the path in .dockerignore), or use it from RUN --mount=type=bind,source=…,target=… so it never enters a layer';
  }
  if (targets.some((target) => target.package)) {
    return 'install, use and remove build dependencies in the same RUN (e.g. apk add --virtual .build-deps … && … && apk del .build-deps), or build in a separate stage and copy only the result';
  }
  return 'delete in the same RUN that created the files, or create them in a build stage (or under RUN --mount=type=cache/tmpfs) and copy only the result';
}
