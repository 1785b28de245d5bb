/**
 * The Dockerfile model every rule, fix and transform reads. Built by parse.ts
 * from dockerfile-ast (for locating nodes) and tree-sitter-bash (for RUN).
 * Positions are zero-based like LSP; offsets index into `DockerfileModel.text`.
 */

/** Shared between ranges that start or end at the same place: never changed once made. */
export interface Position {
  readonly line: number;
  readonly character: number;
  readonly offset: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

export interface Directive {
  name: string;
  value: string;
  range: SourceRange;
}

export interface Comment {
  text: string;
  range: SourceRange;
}

export interface Flag {
  name: string;
  value: string | null;
  range: SourceRange;
}

/** A `--mount=type=cache,target=/root/.cache` flag on RUN, split into options. */
export interface Mount {
  type: string;
  target?: string;
  options: Record<string, string>;
}

export interface ImageRef {
  /** Text as written, e.g. `golang:${GO_VERSION}`. */
  raw: string;
  /** After ARG substitution, e.g. `golang:1.22`. */
  resolved: string;
  /** Repository without registry and tag, e.g. `golang`, `gcr.io/distroless/static` → `distroless/static`. */
  repository: string;
  registry?: string;
  tag?: string;
  digest?: string;
  /** True when the text still holds an unresolved variable. */
  unresolved: boolean;
  isScratch: boolean;
}

/** One simple command found anywhere in a shell script, with its words unquoted. */
export interface ShellCommand {
  /** Command name as written after unquoting, e.g. `apt-get`, `/usr/bin/pip3`. */
  name: string;
  /** Basename of the name: `pip3` for `/usr/bin/pip3`. */
  program: string;
  /** Arguments after the name, unquoted, variables substituted where known. */
  args: string[];
  /** `FOO=1 cmd` prefix assignments. */
  assignments: Record<string, string>;
  /** Exact source range of the command in the Dockerfile. */
  range: SourceRange;
  /** The command's text as it appears in the script. */
  text: string;
  /** Inside if/while/for/case/function bodies or after `||`: may not run. */
  conditional: boolean;
  /** Found inside `sh -c '…'` or `bash -c "…"`: ranges point at the whole string. */
  nested: boolean;
}

export interface ShellScript {
  /** The script as the shell sees it (continuations joined, comment lines dropped). */
  text: string;
  commands: ShellCommand[];
  /** Variables exported with `export X=…` or set with `X=…` as a statement. */
  assignments: Record<string, string>;
  /** `set -e`/`set -o errexit` seen, or a bash `-e` shell. */
  errexit: boolean;
  /** The shell parser reported a syntax error; commands are best effort. */
  syntaxError: boolean;
}

export interface Heredoc {
  name: string;
  content: string;
  range: SourceRange;
  contentRange: SourceRange | null;
}

interface InstructionBase {
  /** Index in DockerfileModel.instructions. */
  index: number;
  /** Index of the stage it belongs to; -1 for ARGs before the first FROM. */
  stageIndex: number;
  /** Upper-case keyword. */
  keyword: string;
  range: SourceRange;
  keywordRange: SourceRange;
  /** Range of everything after the keyword (flags included), null when empty. */
  argumentsRange: SourceRange | null;
  /** Exact source text of the whole instruction, continuations included. */
  source: string;
  flags: Flag[];
  heredocs: Heredoc[];
  /** Rule ids disabled by `# pare-ignore=…` on the line before; hadolint codes (`DL3009`) by `# hadolint ignore=…`. */
  ignoredRules: ReadonlySet<string>;
}

export type CommandForm = 'shell' | 'exec';

export interface RunInstruction extends InstructionBase {
  keyword: 'RUN';
  form: CommandForm | 'heredoc';
  script: ShellScript;
  mounts: Mount[];
  /** For exec form: the JSON array. */
  execArgs?: string[];
}

export interface CopyInstruction extends InstructionBase {
  keyword: 'COPY' | 'ADD';
  sources: string[];
  destination: string;
  /** `--from=` value: a stage name/index or an image. */
  from?: string;
  /** Index of the stage named by `--from`, when it is a stage. */
  fromStage?: number;
  chown?: string;
  chmod?: string;
  link: boolean;
}

export interface CommandInstruction extends InstructionBase {
  keyword: 'CMD' | 'ENTRYPOINT';
  form: CommandForm;
  /** Exec form: the JSON array; shell form: the command text. */
  execArgs?: string[];
  shellText?: string;
  /** The commands it runs: the parsed shell form, or the exec form's program (and its `sh -c` string, parsed). */
  script?: ShellScript;
}

export interface FromInstruction extends InstructionBase {
  keyword: 'FROM';
  image: ImageRef;
  stageName?: string;
  platform?: string;
}

export interface KeyValueInstruction extends InstructionBase {
  keyword: 'ENV' | 'ARG' | 'LABEL';
  pairs: Array<{ key: string; value: string | undefined }>;
}

export interface OtherInstruction extends InstructionBase {
  keyword: Exclude<string, 'RUN' | 'COPY' | 'ADD' | 'CMD' | 'ENTRYPOINT' | 'FROM' | 'ENV' | 'ARG' | 'LABEL'>;
  /** Arguments after variable substitution. */
  args: string[];
}

export type Instruction =
  | RunInstruction
  | CopyInstruction
  | CommandInstruction
  | FromInstruction
  | KeyValueInstruction
  | OtherInstruction;

export interface Stage {
  index: number;
  name?: string;
  from: FromInstruction;
  base: ImageRef;
  /** When FROM names an earlier stage: its index. */
  baseStage?: number;
  /** Instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
  /** Variables visible at the end of the stage (ARG defaults and ENV). */
  env: Record<string, string>;
  /** The stage is the build's target (see DockerfileModel.finalStage). */
  isFinal: boolean;
}

export interface StageGraph {
  /** Stage index → indexes of stages it reads (FROM stage, COPY --from, RUN --mount from). */
  dependencies: Map<number, Set<number>>;
  /** Stages the build of the target runs: the target and every stage it reads. */
  reachable: Set<number>;
  /** Stages the target never reads (BuildKit skips them). */
  unused: number[];
}

export interface DockerfileModel {
  /** Display name: the path as given, or `<stdin>`. */
  path: string;
  text: string;
  escape: '\\' | '`';
  directives: Directive[];
  comments: Comment[];
  /** ARGs before the first FROM. */
  globalArgs: KeyValueInstruction[];
  stages: Stage[];
  instructions: Instruction[];
  graph: StageGraph;
  /** The stage whose image the build produces: the `--target` stage, else the last one (as BuildKit). */
  finalStage: Stage;
  /** The `--target` the model was parsed for, when one was given. */
  target?: string;
  /** Rule ids disabled for the whole file with `# pare-ignore-file=…`; hadolint codes by `# hadolint global ignore=…`. */
  fileIgnoredRules: ReadonlySet<string>;
}

export function isRun(instruction: Instruction): instruction is RunInstruction {
  return instruction.keyword === 'RUN';
}

export function isCopyOrAdd(instruction: Instruction): instruction is CopyInstruction {
  return instruction.keyword === 'COPY' || instruction.keyword === 'ADD';
}

export function isCommand(instruction: Instruction): instruction is CommandInstruction {
  return instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT';
}

export function isKeyValue(instruction: Instruction): instruction is KeyValueInstruction {
  return instruction.keyword === 'ENV' || instruction.keyword === 'ARG' || instruction.keyword === 'LABEL';
}
