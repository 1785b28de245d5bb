import { startInstructions } from '../../dockerfile/stages.js';
import type { CommandInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { type StartTimeWork, startTimeWork } from '../../knowledge/start-commands.js';
import type { Rule, RuleFinding } from '../types.js';
import { shortCommand } from '../util.js';

interface Found {
  instruction: CommandInstruction;
  text: string;
  work: StartTimeWork;
}

/** The first command of a CMD or ENTRYPOINT that builds or fetches (also inside `sh -c`). */
function inInstruction(instruction: CommandInstruction): Found | undefined {
  for (const command of instruction.script?.commands ?? []) {
    const work = startTimeWork(command.name, command.args);
    if (work) return { instruction, text: [command.name, ...command.args].join(' '), work };
  }
  return undefined;
}

/**
 * `CMD ["go", "run", "."]`, `cargo run`, `mvn spring-boot:run`, `dotnet run`,
 * `ts-node`, `npm install && npm start`: the container compiles the app or
 * downloads its dependencies every time it starts. Start-up waits for it,
 * it can fail where the network is closed, and the image has to carry the
 * toolchain, the sources and the caches — what a multi-stage build (every
 * article in knowledge/articles) leaves behind.
 */
export const buildsAtStart: Rule = {
  meta: {
    id: 'builds-at-start',
    title: 'The container builds or downloads the app every time it starts',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.cutBy90, ARTICLES.slimming, ARTICLES.bestPractices],
    judges: 'image',
  },
  check({ model }) {
    const { entrypoint, cmd } = startInstructions(model);
    let found: Found | undefined;
    if (entrypoint) found = inInstruction(entrypoint);
    // A shell-form ENTRYPOINT ignores CMD; an exec-form one receives it as arguments.
    if (!found && cmd && entrypoint?.form !== 'shell') {
      if (entrypoint?.execArgs && cmd.execArgs) {
        const [name, ...args] = [...entrypoint.execArgs, ...cmd.execArgs];
        const work = name === undefined ? undefined : startTimeWork(name, args);
        if (work) found = { instruction: cmd, text: [name, ...args].join(' '), work };
      } else if (!entrypoint) found = inInstruction(cmd);
    }
    if (!found) return [];
    const finding: RuleFinding = {
      message: `\`${shortCommand(found.text)}\` ${found.work.does} every time the container starts: start-up waits for it and the image must carry ${found.work.needs}; do it in a builder stage and start the result`,
      range: found.instruction.range,
      hint: 'build (or install) in a builder stage, COPY --from only the result into the final stage, and start that: CMD ["/app"], CMD ["java", "-jar", "/app.jar"], CMD ["node", "dist/index.js"]',
    };
    return [finding];
  },
};
