/**
 * Parses the shell of RUN/CMD/ENTRYPOINT with tree-sitter-bash (a maintained,
 * real grammar; ~40 µs per RUN here, 100x faster than the mvdan/sh WASM port)
 * into the simple commands it contains, wherever they are: && chains, ; lists,
 * if/for/while bodies, pipelines, subshells, and `sh -c '…'` strings. Simple
 * scripts take a fast path (simple-shell.ts) that builds the same tree without
 * tree-sitter, whose WebAssembly then need not be loaded at all.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import { ExpansionBudget, InputLimitError, MAX_SHELL_NESTING } from './limits.js';
import type { LineIndex } from './positions.js';
import type { ShellNode as Node, ShellTree } from './shell-tree.js';
import { parseSimpleShell } from './simple-shell.js';
import type { ShellCommand, ShellScript } from './types.js';
import { type Scope, valueIn } from './variables.js';

let parserPromise: Promise<Parser> | undefined;
/** The parser once loaded, for callers that must not wait. */
let loadedParser: Parser | undefined;
/** Tests turn the fast path off to compare whole models with and without it. */
let simpleShellEnabled = true;

/** For tests only: parse every script with tree-sitter (false) or try the fast path first (true, the default). */
export function setSimpleShellEnabled(enabled: boolean): void {
  simpleShellEnabled = enabled;
}

/**
 * Thrown by parseShell when a script needs tree-sitter and the context has no
 * parser: the caller loads it (loadShellParser) and parses again.
 */
export class ShellParserNeeded extends Error {
  constructor() {
    super('this shell script needs the tree-sitter parser, which is not loaded');
  }
}

/**
 * The bash grammar: dist/grammars/ in the built package (the build copies it
 * there, so installs need no tree-sitter-bash), else the development copy.
 */
function grammarPath(): string {
  const shipped = fileURLToPath(new URL('../grammars/tree-sitter-bash.wasm', import.meta.url));
  if (existsSync(shipped)) return shipped;
  return createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
}

/**
 * web-tree-sitter's own .wasm, found through its package: it looks beside the
 * module that loads it, which in the bundled command line is dist/cli/.
 */
function runtimePath(): string {
  return createRequire(import.meta.url).resolve('web-tree-sitter/web-tree-sitter.wasm');
}

/**
 * Loads the WASM grammar once per process. web-tree-sitter's own JavaScript
 * (~100 KB) is imported here too, not at the top: most Dockerfiles never need
 * it, and compiling it was a measurable part of a one-file `pare lint`.
 */
export function loadShellParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init({ locateFile: runtimePath });
    const language = await Language.load(grammarPath());
    const parser = new Parser();
    parser.setLanguage(language);
    loadedParser = parser;
    return parser;
  })();
  return parserPromise;
}

/** The parser if loadShellParser has finished, without waiting for it. */
export function shellParserIfLoaded(): Parser | undefined {
  return loadedParser;
}

/** Maps an offset in the script text back to an offset in the Dockerfile. */
export type OffsetMap = (scriptOffset: number) => number;

export interface ShellParseContext {
  /** tree-sitter, for the scripts the fast path leaves; without it such a script throws ShellParserNeeded. */
  parser: Parser | undefined;
  lines: LineIndex;
  /** Variables known from ARG/ENV at this point of the stage. */
  scope: Scope;
  /** Levels of nesting already entered around this script (it is an `sh -c` string). */
  nesting?: number;
  /** What expanding variables may still produce (shared by the whole Dockerfile). */
  expansion?: ExpansionBudget;
  /** The variables of the script this one is an `sh -c` string of. */
  enclosing?: ShellVariables;
}

/**
 * The variables a script sees: its own assignments over those of the script
 * it runs in, over ARG/ENV. Layered, not copied: copying every ENV for each
 * RUN made a Dockerfile of many ENV and RUN lines quadratic.
 */
class ShellVariables {
  private readonly assigned = new Map<string, string>();

  constructor(private readonly outer: ShellVariables | Scope) {}

  get(name: string): string | undefined {
    if (this.assigned.has(name)) return this.assigned.get(name);
    return this.outer instanceof ShellVariables ? this.outer.get(name) : valueIn(this.outer, name);
  }

  set(name: string, value: string): void {
    this.assigned.set(name, value);
  }
}

const CONDITIONAL_PARENTS = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'for_statement',
  'c_style_for_statement',
  'case_statement',
  'case_item',
  'function_definition',
]);

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox']);
/** Programs that run their arguments as a command: `sudo apt-get …`, `env X=1 pip …`. */
const WRAPPERS = new Set([
  'sudo',
  'env',
  'nice',
  'nohup',
  'time',
  'exec',
  'command',
  'stdbuf',
  'ionice',
  'doas',
]);

/**
 * Most commands and scripts assign nothing: one frozen empty record for all
 * of them (a model of many RUNs kept two each); a real one is made at the
 * first assignment.
 */
const NO_ASSIGNMENTS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const SKIPPED_CHILDREN = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect', 'comment']);

export function parseShell(
  text: string,
  map: OffsetMap,
  context: ShellParseContext,
  nestedIn?: { start: number; end: number },
): ShellScript {
  const tree = syntaxTree(text, context.parser);
  if (!tree) return { text, commands: [], assignments: {}, errexit: false, syntaxError: true };
  try {
    const script: ShellScript = {
      text,
      commands: [],
      assignments: NO_ASSIGNMENTS,
      errexit: false,
      syntaxError: tree.rootNode.hasError,
    };
    const variables = new ShellVariables(context.enclosing ?? context.scope);
    let nesting = context.nesting ?? 0;
    const expansion = context.expansion ?? new ExpansionBudget();
    visit(tree.rootNode, false);
    script.commands = exactSize(script.commands);
    return script;

    function rangeOf(node: Node) {
      if (nestedIn) return context.lines.range(nestedIn.start, nestedIn.end);
      return context.lines.range(map(node.startIndex), map(node.endIndex));
    }

    /** Runs `inner` one nesting level deeper; the only recursion left, so the only one bounded. */
    function deeper<T>(inner: () => T): T {
      if (nesting >= MAX_SHELL_NESTING) throw nestingError();
      nesting++;
      try {
        return inner();
      } finally {
        nesting--;
      }
    }

    /**
     * Depth-first in source order with a tree cursor: the grammar nests
     * `a && b && c` one level per operator, and subshells or `if`s may nest
     * thousands deep, neither of which may cost call stack. The cursor keeps
     * the path inside the parser, so only the nodes handled become JS objects:
     * a stack of nodes held one per `&&` of a 1 MB RUN, and those objects set
     * the peak memory of parsing it.
     */
    function visit(root: Node, rootConditional: boolean): void {
      const cursor = root.walk();
      try {
        // For each depth of the cursor: whether that node may not run, and whether its parent is a list.
        const conditionals: boolean[] = [rootConditional];
        const inList: boolean[] = [false];
        let depth = 0;
        for (;;) {
          let descend = false;
          // Each property of a node is a call into WebAssembly: its type is read once.
          let type = '';
          if (cursor.nodeIsNamed) {
            type = cursor.nodeType;
            switch (type) {
              case 'command':
                handleCommand(cursor.currentNode, conditionals[depth]!);
                break;
              case 'declaration_command':
                handleDeclaration(cursor.currentNode);
                break;
              case 'variable_assignment':
                // A bare `X=1` statement sets a shell variable for what follows.
                assign(cursor.currentNode);
                break;
              default:
                descend = true;
            }
          }
          if (descend) {
            const conditional = conditionals[depth]!;
            if (cursor.gotoFirstChild()) {
              depth++;
              // In `a || b`, b runs only when a fails (set at the `||` below); in `a && b`, b runs when a succeeds.
              conditionals[depth] =
                type === 'list' ? conditional : conditional || CONDITIONAL_PARENTS.has(type);
              inList[depth] = type === 'list';
              continue;
            }
          }
          // Next the sibling, else the parent's sibling; never beyond the node the walk began at.
          for (;;) {
            if (depth === 0) return;
            if (cursor.gotoNextSibling()) break;
            cursor.gotoParent();
            depth--;
          }
          if (inList[depth] && cursor.nodeType === '||') conditionals[depth] = true;
        }
      } finally {
        cursor.delete();
      }
    }

    function assign(node: Node): void {
      visitSubstitutions(node, false);
      const name = node.childForFieldName('name')?.text;
      const value = node.childForFieldName('value');
      if (!name) return;
      const assigned = value ? literal(value) : '';
      variables.set(name, assigned);
      if (script.assignments === NO_ASSIGNMENTS) script.assignments = {};
      script.assignments[name] = assigned;
    }

    function handleDeclaration(node: Node): void {
      for (const child of node.namedChildren) {
        if (child?.type === 'variable_assignment') assign(child);
      }
    }

    function handleCommand(node: Node, conditional: boolean): void {
      let assignments = NO_ASSIGNMENTS;
      let name: string | undefined;
      const args: string[] = [];
      const argNodes: Node[] = [];
      for (const child of node.namedChildren) {
        if (!child) continue;
        const type = child.type;
        if (SKIPPED_CHILDREN.has(type)) continue;
        if (type === 'variable_assignment') {
          const key = child.childForFieldName('name')?.text;
          const value = child.childForFieldName('value');
          if (key) {
            if (assignments === NO_ASSIGNMENTS) assignments = {};
            assignments[key] = value ? literal(value) : '';
          }
        } else if (type === 'command_name') {
          name = literal(child.namedChildren[0] ?? child);
        } else {
          args.push(literal(child));
          argNodes.push(child);
        }
      }
      // Nested command substitutions and process substitutions run too.
      for (const argNode of argNodes) visitSubstitutions(argNode, conditional);
      if (name === undefined) return;
      pushCommand(name, args, assignments, node, conditional);

      const program = posix.basename(name);
      if (program === 'set') {
        if (
          args.some((arg) => /^-[a-z]*e[a-z]*$/.test(arg)) ||
          (args.includes('-o') && args.includes('errexit'))
        ) {
          script.errexit = true;
        }
      }
      if (SHELLS.has(program)) {
        const inner = shellDashC(args, argNodes);
        if (inner) {
          const innerScript = deeper(() =>
            parseShell(
              inner.script,
              map,
              { ...context, enclosing: variables, nesting },
              nestedIn ?? {
                start: map(inner.node.startIndex),
                end: map(inner.node.endIndex),
              },
            ),
          );
          for (const command of innerScript.commands) {
            script.commands.push({
              ...command,
              nested: true,
              conditional: command.conditional || conditional,
            });
          }
          if (innerScript.errexit || args.some((arg) => /^-[a-z]*e[a-z]*$/.test(arg))) script.errexit = true;
        }
      }
      unwrap(program, args, node, conditional);
    }

    /** `sudo -E apt-get install x` also yields `apt-get install x` (and `sudo env X=1 pip …` both inner ones). */
    function unwrap(outer: string, outerArgs: string[], node: Node, conditional: boolean): void {
      let program = outer;
      let args = outerArgs;
      for (let levels = 1; WRAPPERS.has(program); levels++) {
        // Each level copies the rest of the arguments: `sudo sudo …` must not grow without bound.
        if (levels > MAX_SHELL_NESTING) throw nestingError();
        const inner: Record<string, string> = {};
        let index = 0;
        while (index < args.length) {
          const arg = args[index]!;
          if (program === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
            const eq = arg.indexOf('=');
            inner[arg.slice(0, eq)] = arg.slice(eq + 1);
            index++;
          } else if (arg.startsWith('-')) {
            // Options that take a value: sudo -u USER, nice -n N, ionice -c N.
            index += /^-[unctgpC]$/.test(arg) ? 2 : 1;
          } else break;
        }
        if (index >= args.length) return;
        const [innerName, ...innerArgs] = args.slice(index);
        pushCommand(innerName!, innerArgs, inner, node, conditional);
        program = posix.basename(innerName!);
        args = innerArgs;
      }
    }

    function pushCommand(
      name: string,
      args: string[],
      assignments: Record<string, string>,
      node: Node,
      conditional: boolean,
    ): void {
      const command: ShellCommand = {
        name,
        program: posix.basename(name),
        args: exactSize(args),
        assignments,
        range: rangeOf(node),
        text: node.text,
        conditional,
        nested: nestedIn !== undefined,
      };
      script.commands.push(command);
    }

    /** Commands inside `$(…)` and `<(…)` anywhere below `root` (arithmetic may chain thousands deep). */
    function visitSubstitutions(root: Node, conditional: boolean): void {
      const stack: Node[] = [root];
      for (let node = stack.pop(); node; node = stack.pop()) {
        const type = node.type;
        if (type === 'command_substitution' || type === 'process_substitution') {
          const substitution = node;
          deeper(() => {
            for (const child of substitution.namedChildren) if (child) visit(child, conditional);
          });
          continue;
        }
        const children = node.namedChildren;
        for (let i = children.length - 1; i >= 0; i--) {
          const child = children[i];
          if (child) stack.push(child);
        }
      }
    }

    function literal(node: Node): string {
      switch (node.type) {
        case 'word':
        case 'number':
          return unescapeWord(node.text);
        case 'raw_string':
          return node.text.slice(1, -1);
        case 'ansi_c_string':
          return node.text.slice(2, -1);
        case 'string': {
          let out = '';
          for (const child of node.namedChildren) if (child) out += literalInString(child);
          expansion.checkLength(out.length);
          return out;
        }
        case 'string_content':
          return node.text;
        case 'concatenation': {
          let out = '';
          for (const child of node.children) if (child) out += literal(child);
          expansion.checkLength(out.length);
          return out;
        }
        case 'simple_expansion':
        case 'expansion':
          return deeper(() => expand(node));
        default:
          return node.text;
      }
    }

    function literalInString(node: Node): string {
      if (node.type === 'string_content') return node.text.replace(/\\([$`"\\\n])/g, '$1');
      return literal(node);
    }

    function expand(node: Node): string {
      const nameNode = node.namedChildren.find((child) => child?.type === 'variable_name');
      const name = nameNode?.text;
      if (!name) return node.text;
      const value = variables.get(name);
      if (value) expansion.charge(value.length);
      if (node.type === 'simple_expansion') return value ?? node.text;
      const operator = node.children.find(
        (child) => child && !child.isNamed && /^:?[-+=?]$/.test(child.type),
      )?.type;
      const word = node.namedChildren.find((child) => child && child !== nameNode);
      const wordText = word ? literal(word) : '';
      switch (operator) {
        case ':-':
        case ':=':
          return value ? value : wordText;
        case '-':
        case '=':
          return value ?? wordText;
        case ':+':
          return value ? wordText : '';
        case '+':
          return value !== undefined ? wordText : '';
        case undefined:
          return value ?? node.text;
        default:
          return value ?? node.text;
      }
    }
  } finally {
    tree.delete();
  }
}

/** The fast path's tree when the script is in its subset, else tree-sitter's. */
function syntaxTree(text: string, parser: Parser | undefined): ShellTree | null {
  const simple = simpleShellEnabled ? parseSimpleShell(text) : undefined;
  if (simple) return simple;
  if (!parser) throw new ShellParserNeeded();
  return parser.parse(text);
}

/**
 * A copy without spare room. An array grown by push keeps space for about 16
 * more elements; the model keeps one per RUN and one per command, which for a
 * Dockerfile of 60,000 RUNs is some 20 MB of nothing.
 */
function exactSize<T>(items: T[]): T[] {
  return items.slice();
}

function nestingError(): InputLimitError {
  return new InputLimitError(
    `shell nesting deeper than ${MAX_SHELL_NESTING} levels (command substitutions, expansions, sh -c strings or wrappers like sudo inside each other)`,
  );
}

function shellDashC(args: string[], argNodes: Node[]): { script: string; node: Node } | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-') && !arg.startsWith('--') && arg.includes('c')) {
      const script = args[i + 1];
      const node = argNodes[i + 1];
      if (script !== undefined && node) return { script, node };
      return undefined;
    }
    if (!arg.startsWith('-')) return undefined;
  }
  return undefined;
}

function unescapeWord(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/gs, '$1') : text;
}
