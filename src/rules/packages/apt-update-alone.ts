import { isBuilt, shippedStageIndexes } from '../../dockerfile/stages.js';
import type { DockerfileModel, RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { APT, aptListsEstimate } from '../../knowledge/packages.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import { distroAt, firstAfter, isMounted, isWrapperEntry } from './common.js';
import { isApt, isAptInstall, isAptUpdate, packageCommands } from './managers.js';
import { isEditable } from './shell-edit.js';

/** Commands that neither install packages nor read the fresh index in a useful way. */
const INERT = new Set([
  'echo',
  'printf',
  'set',
  'true',
  'false',
  ':',
  'cd',
  'export',
  'mkdir',
  'touch',
  'ln',
  'chmod',
  'chown',
  'rm',
  'cp',
  'mv',
  'test',
  '[',
  'sleep',
  'apt-key',
  'apt-cache',
]);

/** The next RUN of the same stage that installs with apt (memoised per stage: linear on big files). */
function nextInstall(model: DockerfileModel, run: RunInstruction): RunInstruction | undefined {
  let perStage = installRuns.get(model);
  if (!perStage) {
    perStage = new Map();
    installRuns.set(model, perStage);
  }
  let runs = perStage.get(run.stageIndex);
  if (!runs) {
    runs = model.stages[run.stageIndex]!.instructions.filter(
      (item): item is RunInstruction =>
        item.keyword === 'RUN' && packageCommands(item as RunInstruction).some(isAptInstall),
    );
    perStage.set(run.stageIndex, runs);
  }
  return firstAfter(runs, run.index);
}

const installRuns = new WeakMap<DockerfileModel, Map<number, RunInstruction[]>>();

/**
 * The edits that delete a RUN made only of `apt-get update` and run that
 * update right before the install of `next` (`apt-get update && apt-get
 * install …`), so the index is fresh and, in the next fix pass,
 * apt-lists-not-removed removes the lists in that same RUN. Undefined when
 * the RUN holds anything else, has flags, or the install is not a plain
 * command of a shell-form RUN.
 */
function moveUpdateIntoInstall(
  model: DockerfileModel,
  run: RunInstruction,
  next: RunInstruction,
): TextEdit[] | undefined {
  if (run.form !== 'shell' || run.flags.length > 0 || next.form !== 'shell') return undefined;
  const updates = packageCommands(run).filter(isAptUpdate);
  if (updates.length !== 1 || run.script.commands.length !== 1) return undefined;
  const install = packageCommands(next).find(isAptInstall)?.command;
  if (!install || install.conditional || !isEditable(next, install)) return undefined;
  const { text } = model;
  // The whole line(s) of the RUN go, with the newline that ends them.
  const lineEnd = text.indexOf('\n', run.range.end.offset);
  const end = lineEnd === -1 ? text.length : lineEnd + 1;
  const updateText = text.slice(updates[0]!.command.range.start.offset, updates[0]!.command.range.end.offset);
  if (updateText.includes('\n')) return undefined;
  return [
    { start: run.range.start.offset, end, newText: '' },
    { start: install.range.start.offset, end: install.range.start.offset, newText: `${updateText} && ` },
  ];
}

/**
 * `RUN apt-get update` on its own line is cached as a layer: when the install
 * list of a later RUN changes, Docker reuses the old index and the install
 * fails or gets old versions. The layer also ships the lists.
 */
export const aptUpdateAlone: Rule = {
  meta: {
    id: 'apt-update-alone',
    title: '`apt-get update` in a RUN without an install',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize, ARTICLES.slimming],
    judges: 'build',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    const inFinal = shippedStageIndexes(model);
    for (const run of model.instructions.filter((item): item is RunInstruction => item.keyword === 'RUN')) {
      if (!isBuilt(model, run.stageIndex)) continue;
      const packages = packageCommands(run);
      const update = packages.find(isAptUpdate);
      if (!update || packages.some(isAptInstall) || isMounted(run, APT.listsDir)) continue;
      const onlyInert = run.script.commands.every((command, index) => {
        const item = packages.find((candidate) => candidate.index === index);
        if (item)
          return (
            isApt(item) &&
            (item.action === 'update' || item.action === 'clean' || item.action === 'autoclean')
          );
        return INERT.has(command.program) || isWrapperEntry(command);
      });
      if (!onlyInert) continue;
      const next = nextInstall(model, run);
      const shipsLists = inFinal.has(run.stageIndex);
      const saving = shipsLists ? aptListsEstimate(distroAt(model, run)) : undefined;
      const merge = next
        ? `merge it into the install at line ${next.range.start.line + 1}`
        : 'run it in the same RUN as the install';
      const fix = next ? moveUpdateIntoInstall(model, run, next) : undefined;
      findings.push({
        message: `\`${update.tool} update\` alone in a RUN: its cached layer serves a stale index to later installs${
          saving ? ` and ships its lists` : ''
        }; ${merge}`,
        range: update.command.range,
        ...(saving ? { saving } : {}),
        ...(fix ? { fix } : {}),
        hint: 'RUN apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*',
      });
    }
    return findings;
  },
};
