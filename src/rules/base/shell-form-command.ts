import { classifyImage } from '../../catalog/base-images.js';
import { literalCommandWords } from '../../dockerfile/literal-words.js';
import { rootImage, shippedStages, startInstructions } from '../../dockerfile/stages.js';
import type { CommandInstruction, CopyInstruction, DockerfileModel } from '../../dockerfile/types.js';
import { isCopyOrAdd } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import { finalBase } from './builds.js';

/**
 * `CMD ./app` runs `/bin/sh -c "./app"`. On scratch or distroless there is no
 * /bin/sh and the container cannot start (《容器化：如何将镜像体积缩减 90%？》, question 1:
 * `exec: "/bin/sh": stat /bin/sh: no such file or directory`); elsewhere sh is
 * PID 1 and may not pass SIGTERM on to the app. 《精简 Docker 镜像》 and
 * 《容器化：如何将镜像体积缩减 90%？》 use the exec form `CMD ["/app"]` on scratch.
 */
export const shellFormCommand: Rule = {
  meta: {
    id: 'shell-form-command',
    title: 'CMD/ENTRYPOINT in shell form (needs /bin/sh; sh becomes PID 1)',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.cutBy90],
    judges: 'image',
    hadolint: ['DL3025'],
  },
  check({ model }) {
    const { entrypoint, cmd } = startInstructions(model);
    const shell = shellOf(model);
    const findings: RuleFinding[] = [];
    for (const instruction of [entrypoint, cmd]) {
      if (instruction?.form !== 'shell') continue;
      // A shell-form ENTRYPOINT ignores CMD entirely.
      if (instruction === cmd && entrypoint?.form === 'shell') continue;
      const text = (instruction.shellText ?? '').trim();
      const words = simpleWords(instruction);
      const fix = words ? execFormEdit(instruction, words) : undefined;
      const exec = words ? `${instruction.keyword} ${toJson(words)}` : `${instruction.keyword} ["…"]`;
      if (shell.missing) {
        findings.push({
          severity: 'error',
          message: `shell-form ${instruction.keyword} runs /bin/sh -c "${text}", but ${shell.image} has no /bin/sh: the container cannot start (exec: "/bin/sh": stat /bin/sh: no such file or directory); use ${exec}`,
          range: instruction.range,
          ...(fix ? { fix } : {}),
          ...(words
            ? {}
            : {
                hint: 'the command uses shell features: run a script with the exec form, or use a base that has a shell',
              }),
        });
        continue;
      }
      // `CMD exec ./app`: sh replaces itself with the app, signals are delivered.
      if (/^exec\s/.test(text)) continue;
      const withEntrypoint = instruction === cmd && entrypoint?.form === 'exec';
      findings.push({
        message: withEntrypoint
          ? `shell-form CMD is passed to the exec-form ENTRYPOINT as the arguments "/bin/sh" "-c" "${text}"; use ${exec}`
          : `shell-form ${instruction.keyword} makes /bin/sh PID 1: SIGTERM from docker stop may not reach the app${
              instruction.keyword === 'ENTRYPOINT' ? ' and CMD/docker run arguments are ignored' : ''
            }; use ${exec}`,
        range: instruction.range,
        ...(fix ? { fix } : {}),
        ...(words
          ? {}
          : {
              hint: `keep the shell features in a script and use ${instruction.keyword} ["/path/to/script"], or prefix the command with exec`,
            }),
      });
    }
    return findings;
  },
};

/** Whether the final image has no /bin/sh: scratch, distroless, chiseled, and nothing copied in. */
function shellOf(model: DockerfileModel): { missing: boolean; image: string } {
  const { image, match } = finalBase(model);
  const name = image.isScratch ? 'scratch' : image.resolved;
  const noShell = image.isScratch || (match !== undefined && !match.entry.hasShell);
  if (!noShell || image.unresolved) return { missing: false, image: name };
  for (const stage of shippedStages(model)) {
    for (const instruction of stage.instructions) {
      // A SHELL instruction names another shell; a copied-in busybox or sh provides one.
      if (instruction.keyword === 'SHELL') return { missing: false, image: name };
      if (isCopyOrAdd(instruction) && copiesShell(model, instruction)) return { missing: false, image: name };
    }
  }
  return { missing: true, image: name };
}

const SHELL_FILE = /(?:^|\/)(?:sh|bash|ash|dash|busybox)$/;
const BIN_DIR = /^\/?(?:usr\/)?bin\/?$/;

/** `COPY --from=busybox /bin/busybox /bin/sh`, `COPY --from=busybox /bin /bin`, or a whole filesystem with a shell. */
function copiesShell(model: DockerfileModel, copy: CopyInstruction): boolean {
  if (
    SHELL_FILE.test(copy.destination) ||
    copy.sources.some((path) => SHELL_FILE.test(path) || BIN_DIR.test(path))
  ) {
    return true;
  }
  if (!copy.sources.some((source) => /^\/?\.?$/.test(source))) return false;
  if (copy.fromStage === undefined) return copy.from !== undefined;
  const stage = model.stages[copy.fromStage];
  if (!stage) return false;
  const root = rootImage(model, stage);
  const match = classifyImage(root);
  return !root.isScratch && (match === undefined || match.entry.hasShell);
}

/** The words of a shell-form command that is one simple command of literal words; undefined otherwise. */
function simpleWords(instruction: CommandInstruction): string[] | undefined {
  return literalCommandWords(instruction);
}

function toJson(words: string[]): string {
  return `[${words.map((word) => JSON.stringify(word)).join(', ')}]`;
}

function execFormEdit(instruction: CommandInstruction, words: string[]): TextEdit[] | undefined {
  const args = instruction.argumentsRange;
  if (!args) return undefined;
  return [{ start: args.start.offset, end: args.end.offset, newText: toJson(words) }];
}
