/**
 * Ties layers to the instructions that made them: the image config's history
 * has one entry per instruction, and only entries without `empty_layer: true`
 * produced a layer, in order (the same walk as `docker history` and dive).
 * `created_by` is cleaned into the instruction a user wrote, and can be matched
 * back to the lines of a Dockerfile.
 */

import type { Instruction } from '../dockerfile/types.js';
import type { HistoryEntry, ImageConfig } from '../image/types.js';

export interface LayerOrigin {
  /** Index into config.history, or null when the history does not cover this layer. */
  historyIndex: number | null;
  /** `created_by` as recorded. */
  createdBy: string;
  /** Cleaned: `RUN apt-get update`, `COPY . /app`, `ADD file:1a2b… in /`. */
  instruction: string;
  created?: string;
  comment?: string;
}

export interface HistoryMapping {
  layers: LayerOrigin[];
  /** Set when the history and the layers disagree; the mapping is then best effort. */
  warning?: string;
}

/** Instructions that only change the config: a layer-less entry even when a builder forgot to flag it. */
const METADATA_INSTRUCTIONS = new Set([
  'ENV',
  'LABEL',
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'USER',
  'ARG',
  'VOLUME',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'ONBUILD',
  'MAINTAINER',
]);

export function mapLayersToHistory(config: Pick<ImageConfig, 'history'>, layerCount: number): HistoryMapping {
  const history = config.history ?? [];
  let producing = history.flatMap((entry, index) => (entry.empty_layer ? [] : [index]));
  let warning: string | undefined;
  if (history.length > 0 && producing.length !== layerCount) {
    // Some builders leave metadata instructions unflagged; drop those if that makes the counts agree.
    const strict = producing.filter(
      (index) => !METADATA_INSTRUCTIONS.has(keywordOf(cleanCreatedBy(history[index]!.created_by ?? ''))),
    );
    if (strict.length === layerCount) producing = strict;
    else {
      warning = `the image history lists ${producing.length} layer-producing instructions for ${layerCount} layers; instructions are matched in order and may be off`;
    }
  }
  const layers: LayerOrigin[] = [];
  for (let i = 0; i < layerCount; i++) {
    const historyIndex = producing[i];
    if (historyIndex === undefined) {
      layers.push({ historyIndex: null, createdBy: '', instruction: '' });
      continue;
    }
    const entry: HistoryEntry = history[historyIndex]!;
    const createdBy = entry.created_by ?? '';
    const origin: LayerOrigin = { historyIndex, createdBy, instruction: cleanCreatedBy(createdBy) };
    if (entry.created) origin.created = entry.created;
    if (entry.comment) origin.comment = entry.comment;
    layers.push(origin);
  }
  return warning ? { layers, warning } : { layers };
}

const SHELL_PREFIX =
  /^(?:\S*\/)?(?:sh|bash|ash|dash|zsh|busybox sh)(?:\s+-(?:o\s+\S+|[a-zA-Z]+))*\s+-[a-zA-Z]*c\s+/;
const WINDOWS_SHELL_PREFIX = /^cmd\s+\/S\s+\/C\s+/i;

/**
 * `created_by` → the instruction as written. Handles the classic builder
 * (`/bin/sh -c #(nop)  CMD ["sh"]`, `/bin/sh -c apt-get …`, `|2 A=b /bin/sh -c …`)
 * and BuildKit (`RUN |1 V=1 /bin/sh -c make # buildkit`, `COPY . . # buildkit`).
 */
export function cleanCreatedBy(createdBy: string): string {
  let text = createdBy.trim().replace(/\s*#\s*buildkit\s*$/, '');
  const nop = /^(?:\S*\/)?sh\s+-c\s+#\(nop\)\s*/.exec(text);
  if (nop) return collapse(text.slice(nop[0].length));
  let isRun = false;
  if (/^RUN\s/.test(text)) {
    isRun = true;
    text = text.slice(4).trimStart();
  }
  const args = stripBuildArgs(text);
  if (args !== text) {
    isRun = true;
    text = args;
  }
  const shell = SHELL_PREFIX.exec(text) ?? WINDOWS_SHELL_PREFIX.exec(text);
  if (shell) return `RUN ${collapse(text.slice(shell[0].length))}`;
  return collapse(isRun ? `RUN ${text}` : text);
}

/** The instruction keyword of a cleaned instruction, upper case ('' when none). */
function keywordOf(instruction: string): string {
  const match = /^([A-Za-z]+)(?:\s|$)/.exec(instruction);
  return match ? match[1]!.toUpperCase() : '';
}

/** Drops the `|N K=V …` build-argument prefix both builders record before a RUN's shell. */
function stripBuildArgs(text: string): string {
  const match = /^\|(\d+)\s+/.exec(text);
  if (!match) return text;
  let rest = text.slice(match[0].length);
  for (let i = Number(match[1]); i > 0; i--) {
    const assignment = /^[^\s=]+=(?:"(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/.exec(rest);
    if (!assignment) break;
    rest = rest.slice(assignment[0].length);
  }
  return rest;
}

function collapse(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// ------------------------------------------------------------ Dockerfile mapping

/**
 * One instruction of a Dockerfile. A deliberately small local reader
 * (continuations, comments, the escape directive, heredocs, stages) so this
 * module does not wait on src/dockerfile; swap `readDockerfileInstructions`
 * for the full parser's model when convenient — the matcher needs only this.
 */
export interface DockerfileInstruction {
  keyword: string;
  /** Arguments with continuations joined and whitespace collapsed. */
  args: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  stage: number;
}

export interface DockerfileStage {
  index: number;
  name?: string;
  base: string;
  instructions: DockerfileInstruction[];
}

/**
 * The Dockerfile's instructions per stage, read with pare's Dockerfile parser
 * (src/dockerfile), with arguments flattened the way history's created_by shows them.
 */
export async function readDockerfileInstructions(text: string): Promise<DockerfileStage[]> {
  // Loaded on demand: the parser and its shell grammar cost an inspect without --dockerfile ~0.1 s to load.
  const { parseDockerfile } = await import('../dockerfile/parse.js');
  const model = await parseDockerfile(text.replace(/^\uFEFF/, ''), 'Dockerfile');
  return model.stages.map((stage) => ({
    index: stage.index,
    ...(stage.name !== undefined ? { name: stage.name } : {}),
    base: stage.base.raw,
    instructions: [stage.from, ...stage.instructions].map((instruction) => ({
      keyword: instruction.keyword,
      args: collapse(flattenArguments(model.text, instruction, model.escape)),
      startLine: instruction.range.start.line + 1,
      endLine: instruction.range.end.line + 1,
      stage: stage.index,
    })),
  }));
}

/** Everything after the keyword, continuations joined and comment lines dropped, heredoc bodies inline. */
function flattenArguments(text: string, instruction: Instruction, escapeChar: string): string {
  const raw = text.slice(instruction.keywordRange.end.offset, instruction.range.end.offset);
  const lines = raw.split(/\r?\n/);
  const delimiters = new Set(instruction.heredocs.map((heredoc) => heredoc.name));
  // History shows heredoc bodies but not their closing delimiter lines.
  const kept = lines.filter(
    (line, index) => index === 0 || !(/^\s*#/.test(line) || delimiters.has(line.trim())),
  );
  return kept
    .map((line) => (line.trimEnd().endsWith(escapeChar) ? line.trimEnd().slice(0, -1) : line))
    .join(' ');
}

/**
 * The instructions whose history entries end the image built from the last
 * stage: a stage built `FROM` an earlier stage inherits that stage's entries first.
 */
export function finalStageInstructions(stages: DockerfileStage[]): DockerfileInstruction[] {
  const chain: DockerfileInstruction[][] = [];
  let stage = stages[stages.length - 1];
  const visited = new Set<number>();
  while (stage && !visited.has(stage.index)) {
    visited.add(stage.index);
    chain.unshift(stage.instructions.filter((instruction) => instruction.keyword !== 'FROM'));
    const base = stage.base.toLowerCase();
    const before: DockerfileStage[] = stages.slice(0, stage.index);
    stage =
      before.reverse().find((candidate) => candidate.name === base) ??
      (/^\d+$/.test(base) ? stages[Number(base)] : undefined);
  }
  return chain.flat();
}

export interface DockerfileLocation {
  startLine: number;
  endLine: number;
  /** The instruction as written (joined, collapsed). */
  text: string;
}

/**
 * Matches cleaned history instructions to Dockerfile instructions in order,
 * aligning from the end (the Dockerfile made the top of the history; the
 * base image made the rest). Returns, per history entry, the Dockerfile lines
 * or null. Exact text scores best, then the same keyword with the same last
 * argument (COPY destinations, which the classic builder records as
 * `COPY dir:… in /app`), then the same keyword alone.
 */
export function mapHistoryToDockerfile(
  historyInstructions: string[],
  instructions: DockerfileInstruction[],
): Array<DockerfileLocation | null> {
  const h = historyInstructions.map(normalise);
  const d = instructions.map((instruction) => normalise(`${instruction.keyword} ${instruction.args}`));
  const n = h.length;
  const m = d.length;
  // best[i][j]: best score aligning h[i..] with d[j..], preferring late history entries.
  const best: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const score = matchScore(h[i]!, d[j]!);
      const take = score > 0 ? score + best[i + 1]![j + 1]! : -1;
      best[i]![j] = Math.max(take, best[i + 1]![j]!, best[i]![j + 1]!);
    }
  }
  const result: Array<DockerfileLocation | null> = new Array(n).fill(null);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const score = matchScore(h[i]!, d[j]!);
    if (score > 0 && score + best[i + 1]![j + 1]! === best[i]![j]) {
      const instruction = instructions[j]!;
      result[i] = {
        startLine: instruction.startLine,
        endLine: instruction.endLine,
        text: `${instruction.keyword} ${instruction.args}`.trim(),
      };
      i++;
      j++;
    } else if (best[i + 1]![j] === best[i]![j]) i++;
    else j++;
  }
  return result;
}

interface Normalised {
  keyword: string;
  args: string;
  last: string;
}

function normalise(instruction: string): Normalised {
  const keyword = keywordOf(instruction);
  let args = collapse(instruction.slice(keyword.length));
  if (keyword === 'RUN') args = args.replace(/^(?:--\S+\s+)+/, '');
  if (keyword === 'ENV' || keyword === 'LABEL' || keyword === 'ARG')
    args = args.replace(/^(\S+)\s+(?!\S+=)/, '$1=');
  const tokens = args.split(' ');
  return { keyword, args, last: tokens[tokens.length - 1] ?? '' };
}

function matchScore(history: Normalised, dockerfile: Normalised): number {
  if (!history.keyword || history.keyword !== dockerfile.keyword) return 0;
  if (history.args === dockerfile.args) return 3;
  if (history.last !== '' && history.last.replace(/\/+$/, '') === dockerfile.last.replace(/\/+$/, ''))
    return 2;
  return 1;
}
