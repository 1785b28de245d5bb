import { rootImage, shippedStageIndexes, stageChain } from '../../dockerfile/stages.js';
import type {
  CommandInstruction,
  CopyInstruction,
  DockerfileModel,
  Instruction,
  RunInstruction,
  ShellCommand,
  Stage,
} from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { NODE_BUILD_BINARIES, NODE_DEV_RUNNERS } from '../../knowledge/packages.js';
import { absolutePath } from '../../util/image-path.js';
import type { Rule, RuleFinding } from '../types.js';
import { environmentAt, normalisePath, optionValue, variableFor, workdirAt } from './common.js';
import { type PackageCommand, packageCommands } from './managers.js';
import { isProjectInstall, usesYarnBerry } from './node.js';
import { insertAfterArg, insertAfterName } from './shell-edit.js';

const YARN_NON_SCRIPTS = new Set([
  'install',
  'add',
  'remove',
  'cache',
  'config',
  'global',
  'upgrade',
  'info',
  'list',
  'why',
  'start',
  'node',
  'set',
  'workspaces',
  'dlx',
  'prune',
  'licenses',
  'audit',
]);

/** Whether an install already leaves devDependencies out (flags or environment). */
function omitsDev(item: PackageCommand, run: RunInstruction, env: Record<string, string>): boolean {
  const v = (name: string) => variableFor(run, item.command, env, name);
  if (v('NODE_ENV') === 'production') return true;
  const args = item.args;
  if (item.tool === 'npm') {
    const production = optionValue(args, '--production');
    if (hasOption(args, '--production') && production !== 'false') return true;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const value =
        arg === '--omit' || arg === '--only'
          ? args[i + 1]
          : arg.startsWith('--omit=')
            ? arg.slice(7)
            : arg.startsWith('--only=')
              ? arg.slice(7)
              : undefined;
      if (value === 'dev' || value === 'prod' || value === 'production') return true;
    }
    const configProduction = v('npm_config_production') ?? v('NPM_CONFIG_PRODUCTION');
    const configOmit = v('npm_config_omit') ?? v('NPM_CONFIG_OMIT');
    return configProduction === 'true' || (configOmit?.split(/[\s,]+/).includes('dev') ?? false);
  }
  if (item.tool === 'yarn')
    return hasOption(args, '--production', '--prod') && optionValue(args, '--production') !== 'false';
  return hasOption(args, '--prod', '-P', '--production');
}

/** A command that needs devDependencies: a build, a test, a compiler, a local bin. */
function needsDev(command: ShellCommand, item: PackageCommand | undefined): boolean {
  if (NODE_BUILD_BINARIES.has(command.program) || command.name.includes('node_modules/.bin/')) return true;
  if (command.program === 'npx') return true;
  // `node scripts/build.js` may require devDependencies; `node -v` does not.
  if (command.program === 'node' && command.args.some((arg) => /\.[cm]?[jt]s$/.test(arg))) return true;
  if (!item) return false;
  const action = item.action;
  if (item.tool === 'npm') {
    if (action === 'run' || action === 'run-script' || action === 'rum' || action === 'urn') {
      const script = item.args[item.actionIndex - item.argsOffset + 1];
      return script !== 'start';
    }
    return action === 'test' || action === 't' || action === 'tst' || action === 'exec' || action === 'x';
  }
  if (item.tool === 'yarn')
    return (
      action !== undefined &&
      (action === 'run'
        ? item.args[item.actionIndex - item.argsOffset + 1] !== 'start'
        : !YARN_NON_SCRIPTS.has(action))
    );
  if (item.tool === 'pnpm')
    return (
      action !== undefined &&
      !['install', 'i', 'add', 'store', 'start', 'prune', 'fetch', 'config', 'remove', 'rm'].includes(action)
    );
  return false;
}

/** `npm prune --omit=dev`, or a later production-only install (`yarn install --production`) that drops them. */
function isPrune(item: PackageCommand, run: RunInstruction, env: Record<string, string>): boolean {
  return (item.action === 'prune' || isProjectInstall(item)) && omitsDev(item, run, env);
}

interface Later {
  build?: { line: number; text: string };
  prune?: { line: number; sameRun: boolean };
}

interface StageEvent {
  run: RunInstruction;
  /** Position of the command in run.script.commands. */
  position: number;
  kind: 'build' | 'prune';
  text: string;
}

const eventCache = new WeakMap<DockerfileModel, Map<number, StageEvent[]>>();

/** Builds and prunes of a stage in order, computed once per stage. */
function stageEvents(model: DockerfileModel, stage: Stage): StageEvent[] {
  let perStage = eventCache.get(model);
  if (!perStage) {
    perStage = new Map();
    eventCache.set(model, perStage);
  }
  let events = perStage.get(stage.index);
  if (events) return events;
  events = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    const run = instruction as RunInstruction;
    const items = packageCommands(run);
    const env = environmentAt(model, run);
    run.script.commands.forEach((command, position) => {
      const item = items.find((candidate) => candidate.index === position);
      if (needsDev(command, item)) events!.push({ run, position, kind: 'build', text: command.text });
      if (item && isPrune(item, run, env)) events!.push({ run, position, kind: 'prune', text: command.text });
    });
  }
  perStage.set(stage.index, events);
  return events;
}

/** What runs after the install in its stage. */
function laterInStage(
  model: DockerfileModel,
  stage: Stage,
  run: RunInstruction,
  item: PackageCommand,
): Later {
  const events = stageEvents(model, stage);
  // Binary search for the first event after (run, item.index).
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const event = events[mid]!;
    const before = event.run.index < run.index || (event.run === run && event.position <= item.index);
    if (before) low = mid + 1;
    else high = mid;
  }
  const later: Later = {};
  for (let i = low; i < events.length && (!later.build || !later.prune); i++) {
    const event = events[i]!;
    const line = event.run.range.start.line + 1;
    if (event.kind === 'build' && !later.build) later.build = { line, text: event.text };
    if (event.kind === 'prune' && !later.prune) later.prune = { line, sameRun: event.run === run };
  }
  return later;
}

/** COPY --from instructions of the final image that bring this folder (or a parent of it) over. */
function copiesInto(
  model: DockerfileModel,
  finals: ReadonlySet<number>,
  source: Stage,
  folder: string,
): CopyInstruction | undefined {
  for (const instruction of model.instructions) {
    if (
      !finals.has(instruction.stageIndex) ||
      (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD')
    )
      continue;
    const copy = instruction as CopyInstruction;
    if (copy.fromStage === undefined) continue;
    const copied = model.stages[copy.fromStage];
    if (!copied || !stageChain(model, copied).includes(source)) continue;
    if (copy.sources.some((path) => !path.includes('*') && covers(absolutePath(path), folder))) return copy;
  }
  return undefined;
}

function covers(parent: string, path: string): boolean {
  return parent === '/' || path === parent || path.startsWith(`${parent}/`);
}

function nodeMajor(model: DockerfileModel, stage: Stage): number | undefined {
  const image = rootImage(model, stage);
  if (!image.repository.endsWith('node') || !image.tag) return undefined;
  const match = /^(\d+)/.exec(image.tag);
  return match ? Number(match[1]) : undefined;
}

function runsDevServer(model: DockerfileModel): boolean {
  const started = model.finalStage.instructions
    .filter(
      (item: Instruction): item is CommandInstruction =>
        item.keyword === 'CMD' || item.keyword === 'ENTRYPOINT',
    )
    .map((item) => item.execArgs?.join(' ') ?? item.shellText ?? '')
    .join(' ');
  return NODE_DEV_RUNNERS.test(started);
}

/**
 * `npm install`/`npm ci` install devDependencies (compilers, test runners,
 * linters) unless told otherwise. In the final image they are dead weight.
 * Also reported in a build stage whose node_modules a COPY --from brings into
 * the final image (《精简 Docker 镜像》's `COPY --from=build /app /`).
 */
export const npmDevDependencies: Rule = {
  meta: {
    id: 'npm-dev-dependencies',
    title: 'devDependencies installed into the final image',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    if (runsDevServer(model)) return findings;
    const finals = shippedStageIndexes(model);
    for (const run of model.instructions.filter((item): item is RunInstruction => item.keyword === 'RUN')) {
      if (model.graph.unused.includes(run.stageIndex)) continue;
      const stage = model.stages[run.stageIndex]!;
      const env = environmentAt(model, run);
      const cwd = workdirAt(model, run);
      for (const item of packageCommands(run)) {
        if (!isProjectInstall(item) || omitsDev(item, run, env)) continue;
        const inFinal = finals.has(run.stageIndex);
        const prefix = optionValue(item.args, '--prefix');
        const folder =
          cwd === undefined
            ? undefined
            : `${normalisePath(prefix ?? '.', '/root', cwd)}/node_modules`.replace(/^\/\//, '/');
        const copy = inFinal || folder === undefined ? undefined : copiesInto(model, finals, stage, folder);
        if (!inFinal && !copy) continue;
        const later = laterInStage(model, stage, run, item);
        if (later.prune?.sameRun || (!inFinal && later.prune)) continue;
        const berry = item.tool === 'yarn' && usesYarnBerry(model, run);
        const major = nodeMajor(model, stage);
        const flag =
          item.tool === 'npm'
            ? major !== undefined && major <= 14
              ? '--production'
              : '--omit=dev'
            : item.tool === 'yarn'
              ? '--production'
              : '--prod';
        const what = item.action === undefined ? item.tool : `${item.tool} ${item.action}`;
        const instead = berry ? 'use `yarn workspaces focus --all --production`' : `add ${flag}`;
        const prune =
          item.tool === 'npm'
            ? `npm prune ${flag}`
            : item.tool === 'yarn'
              ? 'yarn install --production --ignore-scripts --prefer-offline'
              : 'pnpm prune --prod';
        const where = copy
          ? `; COPY --from at line ${copy.range.start.line + 1} ships its node_modules into the final image`
          : ' into the final image';
        let message: string;
        let hint: string;
        let fixable = !berry && !later.build;
        if (later.build) {
          const step = `\`${later.build.text}\` (line ${later.build.line})`;
          message = copy
            ? `\`${what}\` installs devDependencies${where}; ${step} may need them, so remove them after it (\`${prune}\`) or install production dependencies in their own stage`
            : `\`${what}\` installs devDependencies into the final image, and ${step} may need them: build in a separate stage and install production dependencies only for the final image`;
          hint = copy
            ? `RUN … && ${prune}`
            : 'FROM node AS build … RUN npm ci && npm run build; FROM node-slim … RUN npm ci --omit=dev; COPY --from=build /app/dist ./dist';
        } else if (later.prune) {
          message = `\`${what}\` installs devDependencies into this layer; the prune at line ${later.prune.line} runs in a later layer and saves nothing; ${instead} here instead`;
          hint = 'install production dependencies only, in one RUN';
          fixable = !berry;
        } else {
          message = `\`${what}\` installs devDependencies${where}; ${instead}`;
          hint =
            item.tool === 'npm' && item.action !== 'ci'
              ? `with a package-lock.json, prefer \`npm ci ${flag}\``
              : berry
                ? 'yarn 2+: `yarn workspaces focus --all --production`'
                : `${what} ${flag}`;
        }
        const fix = !fixable
          ? undefined
          : item.actionIndex === -1
            ? insertAfterName(model, run, item.command, flag)
            : insertAfterArg(model, run, item.command, item.actionIndex, flag);
        findings.push({ message, range: item.command.range, ...(fix ? { fix: [fix] } : {}), hint });
      }
    }
    return findings;
  },
};
