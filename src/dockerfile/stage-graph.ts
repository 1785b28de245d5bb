import type { Instruction, Stage, StageGraph } from './types.js';

/** Which stages feed which: FROM <stage>, COPY --from, RUN --mount=from=. */
export function buildStageGraph(stages: Stage[], instructions: Instruction[], target: Stage): StageGraph {
  const dependencies = new Map<number, Set<number>>();
  for (const stage of stages) dependencies.set(stage.index, new Set());
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name!, s.index]));
  const resolve = (reference: string): number | undefined => {
    const named = byName.get(reference.toLowerCase());
    if (named !== undefined) return named;
    return /^\d+$/.test(reference) && Number(reference) < stages.length ? Number(reference) : undefined;
  };

  for (const stage of stages) {
    if (stage.baseStage !== undefined) dependencies.get(stage.index)!.add(stage.baseStage);
  }
  for (const instruction of instructions) {
    if (instruction.stageIndex < 0) continue;
    const deps = dependencies.get(instruction.stageIndex)!;
    if ((instruction.keyword === 'COPY' || instruction.keyword === 'ADD') && 'fromStage' in instruction) {
      if (instruction.fromStage !== undefined) deps.add(instruction.fromStage);
    }
    if (instruction.keyword === 'RUN' && 'mounts' in instruction) {
      for (const mount of instruction.mounts) {
        const from = mount.options.from;
        const index = from === undefined ? undefined : resolve(from);
        if (index !== undefined) deps.add(index);
      }
    }
  }

  const reachable = new Set<number>();
  const pending = [target.index];
  while (pending.length > 0) {
    const index = pending.pop()!;
    if (reachable.has(index)) continue;
    reachable.add(index);
    for (const dep of dependencies.get(index) ?? []) pending.push(dep);
  }
  const unused = stages.map((s) => s.index).filter((index) => !reachable.has(index));
  return { dependencies, reachable, unused };
}
