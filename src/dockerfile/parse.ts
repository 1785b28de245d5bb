/**
 * The adapter: dockerfile-ast locates instructions, flags, heredocs and exact
 * ranges; everything it does not do faithfully (argument splitting, shell
 * parsing, variable scopes, stage graph) is done here from the source text.
 */
import { posix } from 'node:path';
import {
  type Env as AstEnv,
  type Flag as AstFlag,
  type From as AstFrom,
  type Heredoc as AstHeredoc,
  type Instruction as AstInstruction,
  type Label as AstLabel,
  DockerfileParser,
} from 'dockerfile-ast';
import { PareError } from '../util/errors.js';
import { forgetParseCaches } from './ast-arguments.js';
import './ast-comments.js';
import { parseImageRef } from './image-ref.js';
import { ExpansionBudget, InputLimitError } from './limits.js';
import { logicalText } from './logical-text.js';
import { LineIndex } from './positions.js';
import {
  loadShellParser,
  type OffsetMap,
  parseShell,
  type ShellParseContext,
  ShellParserNeeded,
  shellParserIfLoaded,
} from './shell.js';
import { buildStageGraph } from './stage-graph.js';
import type {
  CommandInstruction,
  Comment,
  CopyInstruction,
  Directive,
  DockerfileModel,
  Flag,
  FromInstruction,
  Heredoc,
  Instruction,
  KeyValueInstruction,
  Mount,
  OtherInstruction,
  RunInstruction,
  ShellScript,
  SourceRange,
  Stage,
} from './types.js';
import { substitute } from './variables.js';

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const NO_IGNORED_RULES: ReadonlySet<string> = new Set();
/**
 * Most instructions have no flags, heredocs or mounts: one frozen empty array
 * each for all of them rather than three per instruction, ~100 bytes of a
 * model's ~1,200 per instruction. Frozen, so a change made to one would throw.
 */
const NO_FLAGS: Flag[] = Object.freeze([]) as unknown as Flag[];
const NO_HEREDOCS: Heredoc[] = Object.freeze([]) as unknown as Heredoc[];
const NO_MOUNTS: Mount[] = Object.freeze([]) as unknown as Mount[];

const IGNORE_COMMENT = /^#\s*pare-ignore(-file)?\s*[=:]?\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/i;
/** hadolint's pragmas; their codes (DL3009, SC2086) are kept upper-case beside pare's lower-case ids. */
const HADOLINT_COMMENT = /^#\s*hadolint\s+(global\s+)?ignore\s*=\s*([a-z0-9]+(?:\s*,\s*[a-z0-9]+)*)\s*$/i;

export interface ParseOptions {
  /** The stage to build (`--target`), as BuildKit takes it; default: the last stage. */
  target?: string | undefined;
}

/** Parses Dockerfile text into the model; throws PareError for input Docker would reject. */
export async function parseDockerfile(
  text: string,
  path = 'Dockerfile',
  options: ParseOptions = {},
): Promise<DockerfileModel> {
  // Most scripts take the fast path: tree-sitter's WebAssembly is loaded only for a file with one that does not.
  const loaded = shellParserIfLoaded();
  const model = loaded ? undefined : buildWithoutTreeSitter(text, path, options.target);
  if (model) return model;
  const parser = loaded ?? (await loadShellParser());
  return new ModelBuilder(text, path, parser).build(options.target);
}

/** The model, when no shell script of the file needs tree-sitter; else undefined. */
function buildWithoutTreeSitter(
  text: string,
  path: string,
  target: string | undefined,
): DockerfileModel | undefined {
  try {
    return new ModelBuilder(text, path, undefined).build(target);
  } catch (error) {
    if (error instanceof ShellParserNeeded) return undefined;
    throw error;
  }
}

class ModelBuilder {
  private readonly lines: LineIndex;
  private readonly ast;
  private readonly escape: '\\' | '`';
  /** Line of the instruction being read, for limits found deep inside it. */
  private line: number | undefined;
  /** What variable expansion may still produce in this file. */
  private readonly expansion = new ExpansionBudget();
  /** Stages by name, for FROM <stage> and --from= (a search per instruction was quadratic). */
  private readonly stagesByName = new Map<string, Stage>();

  constructor(
    private readonly text: string,
    private readonly path: string,
    private readonly shellParser: ShellParseContext['parser'],
  ) {
    this.lines = new LineIndex(text);
    const ast = DockerfileParser.parse(text);
    this.escape = ast.getEscapeCharacter() === '`' ? '`' : '\\';
    // dockerfile-ast continues a line that ends in an escaped escape (`foo\\`); BuildKit does not.
    const masked = maskEscapedEscapes(text, this.escape);
    this.ast = masked === text ? ast : DockerfileParser.parse(masked);
  }

  /** An AST value with the masked escape characters put back. */
  private unmask(value: string): string {
    return value.includes(MASK) ? value.replaceAll(MASK, this.escape) : value;
  }

  private fail(message: string, line?: number): never {
    throw new PareError(message, { subject: line === undefined ? this.path : `${this.path}:${line + 1}` });
  }

  build(target: string | undefined): DockerfileModel {
    try {
      return this.buildModel(target);
    } catch (error) {
      if (error instanceof InputLimitError) this.fail(error.message, this.line);
      throw error;
    } finally {
      forgetParseCaches();
    }
  }

  private buildModel(target: string | undefined): DockerfileModel {
    const directives: Directive[] = this.ast.getDirectives().map((directive) => ({
      name: directive.getName().toLowerCase(),
      value: directive.getValue(),
      range: this.lines.fromLsp(directive.getRange()),
    }));
    const comments: Comment[] = this.ast.getComments().map((comment) => ({
      text: this.lines.lineText(comment.getRange().start.line).trim(),
      range: this.lines.fromLsp(comment.getRange()),
    }));
    const { perLine: ignoredByLine, file: fileIgnoredRules } = this.collectIgnores();

    const astInstructions = this.ast.getInstructions();
    if (astInstructions.length === 0) this.fail('no instructions: a Dockerfile needs at least a FROM');

    const instructions: Instruction[] = [];
    const stages: Stage[] = [];
    const globalArgs: KeyValueInstruction[] = [];
    const globalScope: Record<string, string | undefined> = {};
    let scope: Record<string, string | undefined> = {};
    let current: Stage | undefined;

    for (const astInstruction of astInstructions) {
      const keyword = astInstruction.getKeyword().toUpperCase();
      const range = this.lines.fromLsp(astInstruction.getRange());
      this.line = range.start.line;
      if (!KNOWN_INSTRUCTIONS.has(keyword)) {
        this.fail(`unknown instruction "${astInstruction.getKeyword()}"`, range.start.line);
      }
      if (!current && keyword !== 'FROM' && keyword !== 'ARG') {
        this.fail(`${keyword} before the first FROM (only ARG may come before FROM)`, range.start.line);
      }
      const stageIndex = keyword === 'FROM' ? stages.length : (current?.index ?? -1);
      const base = this.base(astInstruction, keyword, instructions.length, stageIndex, ignoredByLine);

      switch (keyword) {
        case 'FROM': {
          const from = this.from(astInstruction as AstFrom, base, globalScope);
          instructions.push(from);
          const baseStage = this.stagesByName.get(from.image.resolved.toLowerCase());
          scope = baseStage ? { ...baseStage.env } : {};
          current = {
            index: stages.length,
            ...(from.stageName !== undefined ? { name: from.stageName } : {}),
            from,
            base: from.image,
            ...(baseStage ? { baseStage: baseStage.index } : {}),
            instructions: [],
            // The scope itself: it keeps growing with the stage's ENV and ARG (a copy per instruction was quadratic).
            env: scope as Record<string, string>,
            isFinal: false,
          };
          stages.push(current);
          // The first stage of a name is the one FROM and --from mean.
          if (current.name !== undefined && !this.stagesByName.has(current.name)) {
            this.stagesByName.set(current.name, current);
          }
          continue;
        }
        case 'ARG': {
          const arg = this.keyValue(astInstruction, base, current ? scope : globalScope);
          instructions.push(arg);
          if (!current) {
            globalArgs.push(arg);
            for (const pair of arg.pairs) globalScope[pair.key] = pair.value;
          } else {
            // Inside a stage, `ARG X` without a default picks up the global default.
            for (const pair of arg.pairs)
              scope[pair.key] = pair.value ?? globalScope[pair.key] ?? scope[pair.key];
            current.instructions.push(arg);
          }
          continue;
        }
      }
      const stage = current!;
      let instruction: Instruction;
      switch (keyword) {
        case 'RUN':
          instruction = this.run(astInstruction, base, scope);
          break;
        case 'COPY':
        case 'ADD':
          instruction = this.copy(astInstruction, base, scope, stages);
          break;
        case 'CMD':
        case 'ENTRYPOINT':
          instruction = this.command(astInstruction, base, scope);
          break;
        case 'ENV':
        case 'LABEL': {
          const kv = this.keyValue(astInstruction, base, scope);
          if (keyword === 'ENV') for (const pair of kv.pairs) scope[pair.key] = pair.value ?? '';
          instruction = kv;
          break;
        }
        default:
          instruction = this.other(astInstruction, base, scope);
      }
      instructions.push(instruction);
      stage.instructions.push(instruction);
    }

    if (stages.length === 0) this.fail('no FROM instruction');
    const finalStage = target === undefined ? stages[stages.length - 1]! : this.targetStage(stages, target);
    finalStage.isFinal = true;
    for (const stage of stages)
      stage.env = Object.fromEntries(Object.entries(stage.env).filter(([, v]) => v !== undefined));

    return {
      path: this.path,
      text: this.text,
      escape: this.escape,
      directives,
      comments,
      globalArgs,
      stages,
      instructions,
      graph: buildStageGraph(stages, instructions, finalStage),
      finalStage,
      ...(target !== undefined ? { target } : {}),
      fileIgnoredRules,
    };
  }

  /** The stage `--target` names: BuildKit matches stage names case-insensitively. */
  private targetStage(stages: Stage[], target: string): Stage {
    const stage = stages.find((candidate) => candidate.name === target.toLowerCase());
    if (stage) return stage;
    const named = stages.flatMap((candidate) => (candidate.name ? [candidate.name] : []));
    throw new PareError(
      `--target ${target}: no stage of that name${named.length > 0 ? ` (stages: ${named.join(', ')})` : ' (no stage has a name)'}`,
      { subject: this.path },
    );
  }

  /**
   * Scans source lines rather than dockerfile-ast's comments: a `# pare-ignore-file=`
   * on the first line would otherwise be taken for a parser directive. hadolint's
   * `# hadolint ignore=DL3009` and `# hadolint global ignore=…` are read too.
   */
  private collectIgnores(): { perLine: Map<number, Set<string>>; file: Set<string> } {
    const perLine = new Map<number, Set<string>>();
    const file = new Set<string>();
    for (let line = 0; line < this.lines.lineCount; line++) {
      const text = this.lines.lineText(line).trim();
      if (!text.startsWith('#')) continue;
      const pare = IGNORE_COMMENT.exec(text);
      const hadolint = pare ? undefined : HADOLINT_COMMENT.exec(text);
      const match = pare ?? hadolint;
      if (!match) continue;
      const ids = match[2]!
        .split(',')
        .map((id) => (pare ? id.trim().toLowerCase() : id.trim().toUpperCase()));
      if (match[1]) for (const id of ids) file.add(id);
      else perLine.set(line, new Set([...(perLine.get(line) ?? []), ...ids]));
    }
    return { perLine, file };
  }

  /** Ignore comments apply to the instruction right below them (other comments may sit between). */
  private ignoredFor(startLine: number, ignoredByLine: Map<number, Set<string>>): ReadonlySet<string> {
    let ids: Set<string> | undefined;
    for (let line = startLine - 1; line >= 0; line--) {
      const text = this.lines.lineText(line).trim();
      if (!text.startsWith('#')) break;
      const here = ignoredByLine.get(line);
      if (here) ids = new Set([...(ids ?? []), ...here]);
    }
    // Most instructions ignore nothing: one shared empty set rather than one each.
    return ids ?? NO_IGNORED_RULES;
  }

  private base(
    astInstruction: AstInstruction,
    keyword: string,
    index: number,
    stageIndex: number,
    ignoredByLine: Map<number, Set<string>>,
  ) {
    const range = this.lines.fromLsp(astInstruction.getRange());
    const argsRange = astInstruction.getArgumentsRange();
    const flags = this.flags(astInstruction);
    const heredocs = this.heredocs(astInstruction, range);
    return {
      index,
      stageIndex,
      keyword,
      range,
      keywordRange: this.lines.fromLsp(astInstruction.getInstructionRange()),
      argumentsRange: argsRange ? this.lines.fromLsp(argsRange) : null,
      source: this.text.slice(range.start.offset, range.end.offset),
      flags,
      heredocs,
      ignoredRules: this.ignoredFor(range.start.line, ignoredByLine),
    };
  }

  private flags(astInstruction: AstInstruction): Flag[] {
    const withFlags = astInstruction as AstInstruction & { getFlags?: () => AstFlag[] };
    if (typeof withFlags.getFlags !== 'function') return NO_FLAGS;
    const astFlags = withFlags.getFlags();
    if (astFlags.length === 0) return NO_FLAGS;
    return astFlags.map((flag) => ({
      name: flag.getName().toLowerCase(),
      value: nullToUndefined(flag.getValue()) === undefined ? null : this.unmask(flag.getValue()!),
      range: this.lines.fromLsp(flag.getRange()),
    }));
  }

  private heredocs(astInstruction: AstInstruction, range: SourceRange): Heredoc[] {
    const withHeredocs = astInstruction as AstInstruction & { getHeredocs?: () => AstHeredoc[] };
    if (typeof withHeredocs.getHeredocs !== 'function') return NO_HEREDOCS;
    // No `<<`, no heredoc. dockerfile-ast takes any unescaped line break for the start of a
    // heredoc body and fails without one (a comment line inside a continuation does it).
    if (!this.text.slice(range.start.offset, range.end.offset).includes('<<')) return NO_HEREDOCS;
    const astHeredocs = withHeredocs.getHeredocs();
    if (astHeredocs.length === 0) return NO_HEREDOCS;
    return astHeredocs.map((heredoc) => {
      if (heredoc.getDelimiterRange() === null) {
        this.fail(`unterminated heredoc: no line "${heredoc.getName()}" closes it`, range.start.line);
      }
      const contentRange = heredoc.getContentRange();
      const content = contentRange ? this.lines.fromLsp(contentRange) : null;
      return {
        name: heredoc.getName(),
        // Docker's heredoc content ends with the newline before the delimiter line.
        content: content ? `${this.text.slice(content.start.offset, content.end.offset)}\n` : '',
        range: this.lines.fromLsp(heredoc.getStartRange()),
        contentRange: content,
      };
    });
  }

  /** Where the instruction's payload starts: after the keyword and any --flags. */
  private payloadStart(base: { keywordRange: SourceRange; flags: Flag[] }): number {
    let start = base.keywordRange.end.offset;
    for (const flag of base.flags) start = Math.max(start, flag.range.end.offset);
    return start;
  }

  /**
   * The payload as Docker sees it: continuations joined and comment lines inside
   * continuations dropped, with a map back to source offsets for exact ranges.
   */
  private logicalText(start: number, end: number): { text: string; map: OffsetMap } {
    return logicalText(this.text, this.escape, start, end);
  }

  private findStage(stages: Stage[], reference: string): number | undefined {
    const byName = this.stagesByName.get(reference.toLowerCase());
    if (byName) return byName.index;
    if (/^\d+$/.test(reference)) {
      const index = Number(reference);
      return index < stages.length ? index : undefined;
    }
    return undefined;
  }

  private shellContext(scope: Record<string, string | undefined>): ShellParseContext {
    return { parser: this.shellParser, lines: this.lines, scope, expansion: this.expansion };
  }

  private parseJsonArray(text: string, keyword: string, line: number): string[] | undefined {
    if (!text.startsWith('[')) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
      if (Array.isArray(value)) this.fail(`${keyword} exec form must be an array of strings`, line);
    } catch (error) {
      if (error instanceof PareError) throw error;
      // `RUN [ -f x ] && …` is a shell test, not JSON; only quoted elements look like an intended array.
      if (/^\[\s*"/.test(text) && (/"\s*,/.test(text) || /^\["/.test(text))) {
        this.fail(`${keyword} looks like a JSON array but is not valid JSON: ${text}`, line);
      }
    }
    return undefined;
  }

  private run(
    _astInstruction: AstInstruction,
    base: ReturnType<ModelBuilder['base']>,
    scope: Record<string, string | undefined>,
  ): RunInstruction {
    const start = this.payloadStart(base);
    const end = base.range.end.offset;
    const mountFlags = base.flags.filter((flag) => flag.name === 'mount');
    const mounts =
      mountFlags.length === 0 ? NO_MOUNTS : mountFlags.map((flag) => parseMount(flag.value ?? ''));
    const context = this.shellContext(scope);

    if (base.heredocs.length > 0) {
      const firstLineEnd = this.text.indexOf('\n', start);
      const commandLine = this.logicalText(start, firstLineEnd === -1 ? end : firstLineEnd);
      const withoutMarkers = commandLine.text.replace(/<<-?\s*["']?[A-Za-z0-9_]+["']?/g, '').trim();
      const heredoc = base.heredocs[0]!;
      const isBareOrShell =
        withoutMarkers === '' ||
        /^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|dash|ash)(?:\s+-[a-z]+)*$/.test(withoutMarkers);
      if (isBareOrShell && heredoc.contentRange) {
        const contentStart = heredoc.contentRange.start.offset;
        const script = parseShell(heredoc.content, (offset) => contentStart + offset, context);
        return instructionOf(base, { keyword: 'RUN', form: 'heredoc', script, mounts });
      }
      // `RUN python3 <<EOF`: the heredoc is data on stdin; only the command line is shell.
      const script = parseShell(this.text.slice(start, end).trim(), this.trimmedMap(start, end), context);
      return instructionOf(base, { keyword: 'RUN', form: 'heredoc', script, mounts });
    }

    const { text, map } = this.logicalText(start, end);
    const execArgs = this.parseJsonArray(text, 'RUN', base.range.start.line);
    if (execArgs) {
      return instructionOf(base, {
        keyword: 'RUN',
        form: 'exec',
        execArgs,
        script: this.execScript(execArgs, base.range, context),
        mounts,
      });
    }
    return instructionOf(base, {
      keyword: 'RUN',
      form: 'shell',
      script: parseShell(text, map, context),
      mounts,
    });
  }

  private trimmedMap(start: number, end: number): OffsetMap {
    const raw = this.text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    return (offset) => start + lead + offset;
  }

  /** Exec form runs no shell, but `["sh", "-c", "…"]` does: parse that string. */
  private execScript(args: string[], range: SourceRange, context: ShellParseContext): ShellScript {
    const [name, ...rest] = args;
    const script: ShellScript = {
      text: args.join(' '),
      commands: [],
      assignments: {},
      errexit: false,
      syntaxError: false,
    };
    if (name === undefined) return script;
    const program = posix.basename(name);
    script.commands.push({
      name,
      program,
      args: rest,
      assignments: {},
      range,
      text: args.join(' '),
      conditional: false,
      nested: false,
    });
    const dashC = rest.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
    if (['sh', 'bash', 'dash', 'ash'].includes(program) && dashC !== -1 && rest[dashC + 1] !== undefined) {
      const inner = parseShell(rest[dashC + 1]!, () => range.start.offset, context, {
        start: range.start.offset,
        end: range.end.offset,
      });
      for (const command of inner.commands) script.commands.push({ ...command, nested: true });
      script.errexit = inner.errexit;
      script.syntaxError = inner.syntaxError;
    }
    return script;
  }

  private copy(
    astInstruction: AstInstruction,
    base: ReturnType<ModelBuilder['base']>,
    scope: Record<string, string | undefined>,
    stages: Stage[],
  ): CopyInstruction {
    const keyword = base.keyword as 'COPY' | 'ADD';
    const start = this.payloadStart(base);
    const firstLineEnd = base.heredocs.length > 0 ? this.text.indexOf('\n', start) : base.range.end.offset;
    const { text } = this.logicalText(start, firstLineEnd === -1 ? base.range.end.offset : firstLineEnd);
    const json = this.parseJsonArray(text, keyword, base.range.start.line);
    const words =
      json ??
      astInstruction
        .getArguments()
        .filter((arg) => !arg.getValue().startsWith('--'))
        .map((arg) => this.unmask(arg.getValue()));
    const resolved = words.map((word) => substitute(word, scope, this.escape, this.expansion).value);
    if (resolved.length < 2)
      this.fail(`${keyword} needs at least one source and a destination`, base.range.start.line);
    const flag = (name: string) => base.flags.find((f) => f.name === name);
    const from = flag('from')?.value ?? undefined;
    const fromStage =
      from === undefined
        ? undefined
        : this.findStage(stages, substitute(from, scope, this.escape, this.expansion).value);
    return instructionOf(base, {
      keyword,
      sources: resolved.slice(0, -1),
      destination: resolved[resolved.length - 1]!,
      ...(from !== undefined ? { from } : {}),
      ...(fromStage !== undefined ? { fromStage } : {}),
      ...(flag('chown')?.value ? { chown: flag('chown')!.value! } : {}),
      ...(flag('chmod')?.value ? { chmod: flag('chmod')!.value! } : {}),
      link: flag('link') !== undefined && flag('link')!.value !== 'false',
    });
  }

  private command(
    astInstruction: AstInstruction,
    base: ReturnType<ModelBuilder['base']>,
    scope: Record<string, string | undefined>,
  ): CommandInstruction {
    void astInstruction;
    const keyword = base.keyword as 'CMD' | 'ENTRYPOINT';
    const { text, map } = this.logicalText(this.payloadStart(base), base.range.end.offset);
    const execArgs = this.parseJsonArray(text, keyword, base.range.start.line);
    if (execArgs) {
      const script = this.execScript(execArgs, base.range, this.shellContext(scope));
      return instructionOf(base, { keyword, form: 'exec', execArgs, script });
    }
    return instructionOf(base, {
      keyword,
      form: 'shell',
      shellText: text,
      script: parseShell(text, map, this.shellContext(scope)),
    });
  }

  private from(
    astFrom: AstFrom,
    base: ReturnType<ModelBuilder['base']>,
    globalScope: Record<string, string | undefined>,
  ): FromInstruction {
    const written = astFrom.getImage();
    const raw = written === null ? null : this.unmask(written);
    if (!raw) this.fail('FROM needs an image', base.range.start.line);
    const substitution = substitute(raw, globalScope, this.escape, this.expansion);
    const image = parseImageRef(raw, substitution.value, substitution.unresolved.length > 0);
    const stageName = astFrom.getBuildStage()?.toLowerCase();
    const platform = base.flags.find((flag) => flag.name === 'platform')?.value ?? undefined;
    return instructionOf(base, {
      keyword: 'FROM',
      image,
      ...(stageName ? { stageName } : {}),
      ...(platform ? { platform } : {}),
    });
  }

  private keyValue(
    astInstruction: AstInstruction,
    base: ReturnType<ModelBuilder['base']>,
    scope: Record<string, string | undefined>,
  ): KeyValueInstruction {
    const keyword = base.keyword as 'ENV' | 'ARG' | 'LABEL';
    let pairs: Array<{ key: string; value: string | undefined }>;
    if (keyword === 'ARG') {
      // dockerfile-ast reads `ARG A B=2` as one name; BuildKit declares each word.
      const { text } = this.logicalText(this.payloadStart(base), base.range.end.offset);
      pairs = splitDeclarations(text, this.escape).map((word) => {
        const eq = word.indexOf('=');
        return eq === -1
          ? { key: word, value: undefined }
          : { key: word.slice(0, eq), value: word.slice(eq + 1) };
      });
    } else {
      pairs = (astInstruction as AstEnv | AstLabel).getProperties().map((property) => ({
        key: this.unmask(property.getName()),
        value: this.unmask(nullToUndefined(property.getValue()) ?? ''),
      }));
    }
    if (pairs.length === 0) this.fail(`${keyword} needs a name`, base.range.start.line);
    const resolvedPairs = pairs.map(({ key, value }) => ({
      key,
      value: value === undefined ? undefined : substitute(value, scope, this.escape, this.expansion).value,
    }));
    return instructionOf(base, { keyword, pairs: resolvedPairs });
  }

  private other(
    astInstruction: AstInstruction,
    base: ReturnType<ModelBuilder['base']>,
    scope: Record<string, string | undefined>,
  ): OtherInstruction {
    if (base.keyword === 'SHELL' || base.keyword === 'VOLUME') {
      const { text } = this.logicalText(this.payloadStart(base), base.range.end.offset);
      const json = this.parseJsonArray(text, base.keyword, base.range.start.line);
      if (base.keyword === 'SHELL' && !json)
        this.fail('SHELL requires the JSON form, e.g. SHELL ["/bin/bash", "-c"]', base.range.start.line);
      if (json) return instructionOf(base, { args: json });
    }
    const args = astInstruction
      .getArguments()
      .filter((arg) => !(base.flags.length > 0 && arg.getValue().startsWith('--')))
      .map((arg) => substitute(this.unmask(arg.getValue()), scope, this.escape, this.expansion).value);
    return instructionOf(base, { args });
  }
}

/**
 * An instruction: the fields every kind has (`base`, built fresh for it) and
 * those of its kind. Added onto `base` rather than spread into a new object:
 * V8 gives each `{ ...base, more }` its own hidden class, some 350 bytes per
 * instruction that a 1 MB Dockerfile has tens of thousands of.
 */
function instructionOf<B extends object, K extends object>(base: B, kind: K): Omit<B, keyof K> & K {
  return Object.assign(base, kind);
}

/** Stands in for an escape character dockerfile-ast must not take for a line continuation (NUL never reaches the parser). */
const MASK = '\u0000';

/**
 * Masks the last escape of every line ending in two of them (`RUN echo foo\\`):
 * BuildKit ends the instruction there, dockerfile-ast would join the next line.
 * Offsets stay the same, so ranges from the masked text fit the original.
 */
function maskEscapedEscapes(text: string, escapeChar: string): string {
  if (!text.includes(escapeChar + escapeChar)) return text;
  const pattern = escapeChar === '`' ? /``([ \t]*)(?=\r?\n|$)/g : /\\\\([ \t]*)(?=\r?\n|$)/g;
  return text.replace(pattern, (_, blanks: string) => `${escapeChar}${MASK}${blanks}`);
}

/** Splits `A B="x y" C='z'` into words, removing quotes and escapes, as BuildKit does for ARG. */
function splitDeclarations(text: string, escapeChar: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === escapeChar && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === escapeChar && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function nullToUndefined(value: string | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : value;
}

function parseMount(value: string): Mount {
  const options: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) options[part.trim()] = 'true';
    else options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const target = options.target ?? options.dst ?? options.destination;
  return { type: options.type ?? 'bind', ...(target !== undefined ? { target } : {}), options };
}
