/**
 * Renders a Dockerfile from a structured description of its stages. The
 * conversion builds stages from pieces of the original (verbatim instruction
 * text) and generated instructions; this module only lays them out and
 * formats the generated ones, so every ecosystem writes the same style.
 */

export interface StageSpec {
  /** Comment lines above FROM, each starting with `#`. */
  comments?: string[];
  /** The image as it is to be written (variables kept). */
  from: string;
  /** `--platform` value as written in the original. */
  platform?: string;
  name?: string;
  /** Instruction texts in order; each may span lines (verbatim continuations). */
  lines: string[];
}

export interface DockerfileSpec {
  /** Verbatim text before the first stage: directives, top comments, global ARGs. */
  header: string;
  stages: StageSpec[];
  /** Line ending of the original. */
  eol?: '\n' | '\r\n';
}

export function renderDockerfile(spec: DockerfileSpec): string {
  const blocks: string[] = [];
  const header = spec.header.replace(/\r\n/g, '\n').replace(/\s+$/, '');
  if (header !== '') blocks.push(header);
  for (const stage of spec.stages) {
    const lines: string[] = [...(stage.comments ?? [])];
    const platform = stage.platform ? `--platform=${stage.platform} ` : '';
    lines.push(`FROM ${platform}${stage.from}${stage.name ? ` AS ${stage.name}` : ''}`);
    for (const line of stage.lines) lines.push(line.replace(/\r\n/g, '\n').replace(/\s+$/, ''));
    blocks.push(lines.join('\n'));
  }
  const text = `${blocks.join('\n\n')}\n`;
  return spec.eol === '\r\n' ? text.replace(/\n/g, '\r\n') : text;
}

/** Paths are written bare unless a word needs the JSON form (blanks, quotes). */
function needsJson(words: readonly string[]): boolean {
  return words.some((word) => /[\s"'\\]/.test(word) || word === '');
}

export interface CopySpec {
  from?: string;
  sources: readonly string[];
  destination: string;
  chown?: string;
  chmod?: string;
  link?: boolean;
}

export function copyLine(spec: CopySpec): string {
  const flags = [
    spec.from !== undefined ? `--from=${spec.from}` : undefined,
    spec.chown ? `--chown=${spec.chown}` : undefined,
    spec.chmod ? `--chmod=${spec.chmod}` : undefined,
    spec.link ? '--link' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
  const words = [...spec.sources, spec.destination];
  const operands = needsJson(words) ? jsonArray(words) : words.join(' ');
  return ['COPY', ...flags, operands].join(' ');
}

export function jsonArray(words: readonly string[]): string {
  return `[${words.map((word) => JSON.stringify(word)).join(', ')}]`;
}

/** `CMD ["a", "b"]` / `ENTRYPOINT [...]`. */
export function execLine(keyword: 'CMD' | 'ENTRYPOINT', words: readonly string[]): string {
  return `${keyword} ${jsonArray(words)}`;
}

/** A RUN of several commands chained with `&&`, one per line, continued with the file's escape character. */
export function runLine(commands: readonly string[], continuation: string): string {
  if (commands.length === 1) return `RUN ${commands[0]}`;
  return `RUN ${commands.join(` ${continuation}\n    && `)}`;
}

export function envLine(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `ENV ${pairs.map(([key, value]) => `${key}=${quoteValue(value)}`).join(' ')}`;
}

/** Double-quotes an ENV/LABEL value when it holds blanks or quotes; `$` references stay live. */
export function quoteValue(value: string): string {
  if (value !== '' && !/[\s"'\\]/.test(value)) return value;
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}
