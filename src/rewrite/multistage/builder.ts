/**
 * The builder stage is the original stage, kept as written: the same base,
 * the same RUNs with their flags and mounts, the same COPYs. A converter
 * changes it only through a plan: edits inside instructions (the build
 * command gets its flags), instructions dropped, and lines inserted (the
 * dependency manifests copied first). Instructions that only describe the
 * running container (CMD, EXPOSE, LABEL…) move to the final stage.
 */
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import type { TextEdit } from '../../rules/types.js';
import type { StageSpec } from './emit.js';
import { RUNTIME_ONLY_KEYWORDS, verbatim } from './shared.js';

export class BuilderPlan {
  readonly edits = new Map<number, TextEdit[]>();
  readonly drop = new Set<number>();
  readonly before = new Map<number, string[]>();
  readonly afterFrom: string[] = [];
  readonly append: string[] = [];

  edit(index: number, ...edits: TextEdit[]): void {
    this.edits.set(index, [...(this.edits.get(index) ?? []), ...edits]);
  }

  insertBefore(index: number, ...lines: string[]): void {
    this.before.set(index, [...(this.before.get(index) ?? []), ...lines]);
  }
}

const BUILDER = 'builder';

/** The builder StageSpec: the original stage through the plan. */
export function builderStage(
  model: DockerfileModel,
  stage: Stage,
  plan: BuilderPlan,
  name = BUILDER,
): StageSpec {
  const lines: string[] = [...plan.afterFrom];
  const lastRun = Math.max(
    -1,
    ...stage.instructions
      .filter((instruction) => instruction.keyword === 'RUN' && !plan.drop.has(instruction.index))
      .map((instruction) => instruction.index),
  );
  for (const instruction of stage.instructions) {
    lines.push(...(plan.before.get(instruction.index) ?? []));
    if (plan.drop.has(instruction.index) || RUNTIME_ONLY_KEYWORDS.has(instruction.keyword)) continue;
    // A USER after the last RUN changes nothing in a builder.
    if (instruction.keyword === 'USER' && instruction.index > lastRun && plan.append.length === 0) continue;
    lines.push(...verbatim(model, instruction, plan.edits.get(instruction.index) ?? []));
  }
  lines.push(...plan.append);
  return {
    from: stage.from.image.raw,
    ...(stage.from.platform ? { platform: stage.from.platform } : {}),
    name: stage.name ?? name,
    lines,
  };
}

/** The name the builder stage gets: the original stage's name when it had one. */
export function builderName(stage: Stage): string {
  return stage.name ?? BUILDER;
}
