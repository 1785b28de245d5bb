/**
 * Generators of Dockerfiles an attacker or a careless script would write:
 * deep shell nesting, exponential variables, many instructions. Each returns
 * the Dockerfile text; `depth`/`count` say how hostile.
 */

/** `RUN echo "$(echo "$(… echo x …)")"`: command substitutions inside each other. */
export function nestedSubstitutions(depth: number): string {
  let script = 'echo x';
  for (let i = 0; i < depth; i++) script = `echo "$(${script})"`;
  return `FROM alpine:3.20\nRUN ${script}\n`;
}

/** `RUN echo ${A:-${A:-…x…}}`: parameter expansions inside each other. */
export function nestedExpansions(depth: number): string {
  return `FROM alpine:3.20\nRUN echo ${'${A:-'.repeat(depth)}x${'}'.repeat(depth)}\n`;
}

/** `RUN sh -c 'sh -c … true'`, quoting doubled at each level (so depth stays small). */
export function nestedShellStrings(depth: number): string {
  let script = 'true';
  for (let i = 0; i < depth; i++) script = `sh -c ${JSON.stringify(script)}`;
  return `FROM alpine:3.20\nRUN ${script}\n`;
}

/** `RUN sudo sudo … true`: wrappers around a command. */
export function nestedWrappers(depth: number): string {
  return `FROM alpine:3.20\nRUN ${'sudo '.repeat(depth)}true\n`;
}

/** `RUN ( ( ( true ) ) )`: subshells inside each other (spaced: `((` would be arithmetic). */
export function nestedSubshells(depth: number): string {
  return `FROM alpine:3.20\nRUN ${'( '.repeat(depth)}true${' )'.repeat(depth)}\n`;
}

/** `RUN if true; then if true; then … fi; fi`. */
export function nestedIfs(depth: number): string {
  return `FROM alpine:3.20\nRUN ${'if true; then '.repeat(depth)}true${'; fi'.repeat(depth)}\n`;
}

/** `RUN echo $(( ((((1)))) ))`: parenthesised arithmetic. */
export function nestedArithmetic(depth: number): string {
  return `FROM alpine:3.20\nRUN echo $((${'('.repeat(depth)}1${')'.repeat(depth)}))\n`;
}

/** One RUN of `count` commands joined by `&&` (the grammar nests one level per `&&`). */
export function longAndChain(count: number): string {
  const commands = Array.from({ length: count }, (_, i) => `echo ${i}`);
  return `FROM alpine:3.20\nRUN ${commands.join(' && ')}\n`;
}

/** `ENV A=$A$A`, `doublings` times: the value doubles per line. */
export function doublingEnv(doublings: number): string {
  return `FROM alpine:3.20\nENV A=x\n${'ENV A=$A$A\n'.repeat(doublings)}`;
}

/** `RUN A=x; A=$A$A; …`: the same doubling in the shell of one RUN. */
export function doublingShellVariable(doublings: number): string {
  return `FROM alpine:3.20\nRUN A=x${'; A=$A$A'.repeat(doublings)}\n`;
}

/** A value of 2^`doublings` characters, then `uses` ENV lines that each copy it. */
export function manyCopiesOfALargeValue(doublings: number, uses: number): string {
  const copies = Array.from({ length: uses }, (_, i) => `ENV COPY${i}=$A\n`).join('');
  return `${doublingEnv(doublings)}${copies}`;
}

/** `count` lines after `FROM`, the i-th made by `line(i)`, in one stage with a WORKDIR. */
export function manyInstructions(count: number, line: (i: number) => string): string {
  const lines = Array.from({ length: count }, (_, i) => line(i));
  return `FROM debian:12-slim\nWORKDIR /app\n${lines.join('\n')}\n`;
}

/**
 * The corpus's Dockerfiles one after another (each its own stages), repeated
 * until the text has at least `count` instructions: a long file made of real ones.
 */
export function corpusRepeated(corpus: readonly string[], count: number): string {
  const parts: string[] = [];
  let instructions = 0;
  for (let i = 0; instructions < count; i++) {
    const text = corpus[i % corpus.length]!;
    parts.push(text);
    instructions += text.split('\n').filter((line) => /^[A-Z]+\s/.test(line)).length;
  }
  return parts.join('\n');
}

/** Lines made by `line(i)` after a FROM, as many as fit in `bytes`. */
export function dockerfileOfSize(bytes: number, line: (i: number) => string): string {
  const parts = ['FROM debian:12-slim\n'];
  let size = parts[0]!.length;
  for (let i = 0; ; i++) {
    const next = `${line(i)}\n`;
    if (size + next.length > bytes) break;
    parts.push(next);
    size += next.length;
  }
  return parts.join('');
}
