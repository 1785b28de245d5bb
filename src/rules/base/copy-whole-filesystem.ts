import type { BaseImageMatch } from '../../catalog/base-images.js';
import { classifyImage, SIZE_BASIS } from '../../catalog/base-images.js';
import { rootImage, shippedStages, stageChain } from '../../dockerfile/stages.js';
import type { CopyInstruction, DockerfileModel, Stage } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isCargoBuild, isCompilerLink, isGoBuild } from '../../knowledge/build-commands.js';
import type { Rule, RuleFinding } from '../types.js';
import { approx } from './builds.js';

/**
 * `COPY --from=build / /` brings the builder's whole filesystem — toolchain,
 * sources, caches — into the final image, undoing the multi-stage build.
 * Every article in knowledge/articles copies only the artifact
 * (`COPY --from=build /app/goapp /app`).
 */
export const copyWholeFilesystem: Rule = {
  meta: {
    id: 'copy-whole-filesystem',
    title: 'COPY --from copies a whole filesystem into the final image',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.bestPractices, ARTICLES.slimming, ARTICLES.minimize, ARTICLES.cutBy90],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    const stages = shippedStages(model);
    const finalRoot = stages[0]!.base;
    for (const stage of stages) {
      for (const instruction of stage.instructions) {
        if (!isCopyOrAdd(instruction) || instruction.from === undefined) continue;
        if (!instruction.sources.some(isRoot)) continue;
        const source = instruction.fromStage !== undefined ? model.stages[instruction.fromStage] : undefined;
        const sourceImage = source ? rootImage(model, source) : undefined;
        const match = source
          ? sourceImage
            ? classifyImage(sourceImage)
            : undefined
          : classifyImage(instruction.from);
        // `FROM scratch` + `COPY --from=rootfs / /` squashes a prepared root filesystem into one
        // layer (a size technique); it is only wrong when that filesystem is a build environment.
        if (finalRoot.isScratch && stage === stages[0] && !isBuildEnvironment(model, source, match)) continue;
        findings.push(finding(instruction, source, match));
      }
    }
    return findings;
  },
};

/** `/`, `/.`, `.`, `./`, `/*`, `*`: everything under the root of the source. */
function isRoot(source: string): boolean {
  return /^(?:\/|\.\/?|\/\.\/?|\/?\*)$/.test(source);
}

function isBuildEnvironment(
  model: DockerfileModel,
  source: Stage | undefined,
  match: BaseImageMatch | undefined,
): boolean {
  // Toolchains and the full language images (python, node, ruby with compilers); a plain distribution is a rootfs.
  if (
    match &&
    (match.entry.kind === 'toolchain' ||
      (match.entry.kind === 'full-distro' && match.entry.ecosystem !== 'generic'))
  ) {
    return true;
  }
  if (!source) return false;
  return stageChain(model, source).some((stage) =>
    stage.instructions
      .filter(isRun)
      .some((run) => run.script.commands.some((c) => isGoBuild(c) || isCargoBuild(c) || isCompilerLink(c))),
  );
}

function finding(
  copy: CopyInstruction,
  source: Stage | undefined,
  match: BaseImageMatch | undefined,
): RuleFinding {
  const name = source ? (source.name ?? `stage ${source.index}`) : copy.from!;
  const base = match ? ` (based on ${match.entry.sizeOf}, ~${approx(match.entry.approxSize)})` : '';
  const result: RuleFinding = {
    message: `COPY --from=${copy.from} / copies the whole filesystem of ${name}${base} into the final image; copy only the artifact paths`,
    range: copy.range,
    hint: 'e.g. COPY --from=build /out/app /app, plus any runtime files it needs (CA certificates, config)',
  };
  if (match && match.entry.approxSize > 0) {
    result.saving = {
      bytes: match.entry.approxSize,
      basis: `approximate: at least the source's base image ${match.entry.sizeOf} (~${approx(match.entry.approxSize)}, ${SIZE_BASIS}), minus the artifact`,
    };
  }
  return result;
}
