/**
 * The fast path of shell parsing: most RUN/CMD/ENTRYPOINT scripts are words,
 * quotes, variables, `&&`, `|` and a redirect or two, which this reads in
 * TypeScript into the very tree tree-sitter-bash would build (node types,
 * offsets, field names), so a one-file `pare lint` need not load and compile
 * the grammar's WebAssembly at all. Anything else it does not guess at: it
 * returns undefined and the caller asks tree-sitter. A wrong tree is a defect,
 * a bail-out only costs time, so every doubtful shape bails; the tests hold
 * the trees equal to tree-sitter's on every fixture script and on generated ones.
 *
 * The subset: words and numbers, '…' and "…" (with expansions and $(…) inside),
 * concatenations of those, $VAR, ${VAR}, ${#VAR}, ${VAR:-word} and its kin (a
 * plain word, $VAR or ${…} after the operator), ${VAR#pattern}, ${VAR%%pattern}
 * and their kin, ${VAR/pattern/word} and its kin (plain patterns), $(…), `&&`,
 * `||`, `;` and line breaks, pipelines with `|` and `|&`, file redirects (`> f`,
 * `2>&1`, `&>/dev/null`) after a command, `X=1 cmd` prefixes and bare `X=1`
 * statements, `export`/`declare`/`readonly`/`local`/`typeset` with
 * assignments, names and options, `[ … ]` with one test, and `# …` comments
 * outside $(…). Left to tree-sitter: compound commands, subshells, heredocs,
 * backticks, arithmetic, arrays, `[[ … ]]`, `&`, line continuations, and the
 * odd shapes its scanner or its choice among parses reads its own way (a
 * command named `-x` or `a:b`, `$1` after a quoted piece, `a | b | c && d`,
 * `export # c` then a line, `[ x != a ]`), each noted where it bails.
 */
import { SimpleNode, SimpleTree } from './simple-shell-tree.js';

/** Thrown (one object, no stack) when the script leaves the subset. */
const OUTSIDE = Symbol('outside the simple subset');

/** $(…) inside $(…): deeper ones go to tree-sitter, so the recursion here stays shallow. */
const MAX_DEPTH = 8;

/**
 * Words tree-sitter-bash takes for syntax where a command's name may stand:
 * reserved words and declaration commands.
 */
const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'select',
  'while',
  'until',
  'do',
  'done',
  'in',
  'function',
  'declare',
  'typeset',
  'export',
  'readonly',
  'local',
  'unset',
  'unsetenv',
]);

/** tree-sitter-bash's `number` token, less the `#base` form (`#` always bails here). */
const NUMBER = /^-?(0x)?[0-9]+$/;
/** `_=` is a word to tree-sitter-bash (`_` is the special parameter), `_x=` an assignment. */
const ASSIGNMENT_NAME = /(?!_=)[A-Za-z_][A-Za-z0-9_]*=/y;
/** A declaration command's keyword where a command's name stands, then what may end a word. */
const DECLARATION = /(declare|typeset|export|readonly|local)(?=[ \t\n;&|)]|$)/y;
/** A file test's operator (`-f`), and a comparison's, each before a blank. */
const TEST_UNARY = /-[A-Za-z](?=[ \t])/y;
/**
 * A word `[ … ]` takes for an operand: `/`, `+`, `%`, `*` alone are arithmetic operators there, and
 * `a%` an error, as where a command's name stands.
 */
const TEST_WORD = /^(?:[A-Za-z0-9_.]|\/[A-Za-z0-9_.])[A-Za-z0-9_./,-]*$/;
const TEST_BINARY = /(!=|==|=|-(eq|ne|lt|le|gt|ge|nt|ot|ef))(?=[ \t])/y;
/** A declaration's argument read as a bare name (variable_name) or an option (word). */
const DECLARED = /[A-Za-z_][A-Za-z0-9_]*|-[A-Za-z]+/y;
const VARIABLE_NAME = /[A-Za-z0-9_]+/y;
const EXPANSION_NAME = /[A-Za-z_][A-Za-z0-9_]*|[0-9]+/y;
/** Longest first, as the lexer takes them. */
const EXPANSION_OPERATOR = /:-|:=|:\+|:\?|-|\+|=|\?|##|#|%%|%|\/\/|\/#|\/%|\//y;
/** A pattern's characters after `#` or `%`, and after `/` (where a `/` ends it). */
const EXPANSION_PATTERN = /(?:[A-Za-z0-9_.*/:+=,@?-]|\[!?[A-Za-z0-9_.-]+\])+/y;
const EXPANSION_SEARCH = /(?:[A-Za-z0-9_.*:+=,@?-]|\[!?[A-Za-z0-9_.-]+\])+/y;
const EXPANSION_WORD = /[A-Za-z0-9_./][A-Za-z0-9_./-]*/y;
const DIGITS = /[0-9]+/y;
const BLANKS_THEN_DIGIT = /[ \t]+[0-9]/y;
/** Pieces a `$…` may follow in a concatenation. */
const CONTINUABLE = new Set(['word', 'number', 'simple_expansion', 'expansion']);
/** Longest first, as the lexer takes them. */
const REDIRECT_OPERATORS = ['&>>', '&>', '>>', '>&', '<&', '>|', '>', '<'];

/**
 * Longest script the fast path takes. It exists to spare tree-sitter's start-up
 * on everyday scripts; its tree is JS objects, so a script of tens of thousands
 * of commands is left to tree-sitter, whose tree stays compact in WebAssembly
 * (a 1 MB RUN peaked 50 MB higher through the fast path).
 */
export const MAX_SIMPLE_SCRIPT = 64 * 1024;

/** Parses `text` as tree-sitter-bash would, or returns undefined when it is outside the subset. */
export function parseSimpleShell(text: string): SimpleTree | undefined {
  if (text.length > MAX_SIMPLE_SCRIPT) return undefined;
  try {
    const reader = new Reader(text);
    const root = reader.program();
    // tree-sitter-bash's test_command may also hold a redirected statement, and where a later `]` allows,
    // its choice among parses may take one: `[ x -ne 1 ] && make > f\n\n[ -f x ]` is one test_command.
    if (reader.firstTest < reader.lastRedirect) return undefined;
    return new SimpleTree(root);
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    throw error;
  }
}

function outside(): never {
  throw OUTSIDE;
}

/** A character that may stand in an unquoted word: printable ASCII but the shell's special ones. */
function isWordChar(code: number): boolean {
  // NaN past the end compares false both ways.
  if (!(code > 0x20 && code < 0x7f)) return false;
  switch (code) {
    case 0x22: // "
    case 0x23: // # (a comment after blanks; inside a word it is left to tree-sitter)
    case 0x24: // $
    case 0x26: // &
    case 0x27: // '
    case 0x28: // (
    case 0x29: // )
    case 0x3b: // ;
    case 0x3c: // <
    case 0x3e: // >
    case 0x5b: // [
    case 0x5c: // \ (escapes are handled by the word reader)
    case 0x5d: // ]
    case 0x60: // `
    case 0x7b: // {
    case 0x7c: // |
    case 0x7d: // }
    case 0x21: // ! (negation, history)
      return false;
    default:
      return true;
  }
}

class Reader {
  private pos = 0;
  private depth = 0;
  /** Where the first `[ … ]` starts, and where the last redirect does. */
  firstTest = Number.POSITIVE_INFINITY;
  lastRedirect = -1;
  /** Whether the statement just read has a pipeline of three or more commands. */
  private longPipeline = false;
  /** Whether the statement just read has a comment after one of its operators. */
  private operandComment = false;

  constructor(private readonly src: string) {}

  program(): SimpleNode {
    this.skipBlanksAndLines();
    const start = this.pos;
    const children = this.statements(false);
    return this.node('program', start, this.src.length, children);
  }

  private node(
    type: string,
    start: number,
    end: number,
    children: SimpleNode[] = [],
    fields: ReadonlyArray<string | null> = [],
  ): SimpleNode {
    return new SimpleNode(this.src, type, true, start, end, children, fields);
  }

  /** An anonymous token (`&&`, `"`, `$(`): its type is its text. */
  private token(length: number): SimpleNode {
    const start = this.pos;
    this.pos += length;
    return new SimpleNode(this.src, this.src.slice(start, this.pos), false, start, this.pos);
  }

  private skipBlanks(): void {
    for (;;) {
      const ch = this.src[this.pos];
      if (ch !== ' ' && ch !== '\t') return;
      this.pos++;
    }
  }

  /** Line breaks end a statement (or follow an operator) and leave no node in tree-sitter-bash's tree. */
  private skipBlanksAndLines(): void {
    for (;;) {
      const ch = this.src[this.pos];
      if (ch !== ' ' && ch !== '\t' && ch !== '\n') return;
      this.pos++;
    }
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** Statements separated by `;`, up to the end of the text, or of the `$(…)` being read. */
  private statements(inSubstitution: boolean): SimpleNode[] {
    const children: SimpleNode[] = [];
    let statements = 0;
    for (;;) {
      this.skipBlanksAndLines();
      children.push(...this.comments());
      if (this.atEnd() || this.src[this.pos] === ')') {
        // An empty script, `;;` or `$( )`: tree-sitter's shapes for those are not this module's business.
        if (statements === 0) outside();
        break;
      }
      this.longPipeline = false;
      this.operandComment = false;
      children.push(this.statement());
      statements++;
      this.skipBlanks();
      // After three or more piped commands, tree-sitter-bash may read past a line break: `a | b | c\nd > f`
      // is pipeline(a | redirected_statement(pipeline(b | c d) > f)).
      // And a comment after an operator changes its choice too: `a && b | c | d || # c\ne`.
      const next = this.src[this.pos];
      if (this.longPipeline && (this.operandComment || !(this.atEnd() || next === ';' || next === ')'))) {
        outside();
      }
      // A comment after a statement is the statement's sibling, and runs to the line's end.
      if (this.src[this.pos] === '#') children.push(this.comment());
      const ch = this.src[this.pos];
      if (ch === ';') {
        const next = this.src[this.pos + 1];
        if (next === ';' || next === '&') outside();
        children.push(this.token(1));
        continue;
      }
      if (ch === '\n') continue;
      if (this.atEnd() || ch === ')') break;
      outside();
    }
    if (inSubstitution ? this.src[this.pos] !== ')' : !this.atEnd()) outside();
    return children;
  }

  /** `# …` up to the line's end (not inside `$(…)`, where a comment may swallow the `)`). */
  private comment(): SimpleNode {
    if (this.depth > 0) outside();
    const start = this.pos;
    let end = this.src.indexOf('\n', start);
    if (end === -1) end = this.src.length;
    if (this.src.lastIndexOf('\r', end) >= start) outside();
    this.pos = end;
    return this.node('comment', start, end);
  }

  /** Comment lines, each with the blanks and line breaks after it: where a statement or an operand may start. */
  private comments(): SimpleNode[] {
    const found: SimpleNode[] = [];
    while (this.src[this.pos] === '#') {
      found.push(this.comment());
      this.skipBlanksAndLines();
    }
    return found;
  }

  /** Comments after `&&`, `||` or `|`, before the command they lead to. */
  private operandComments(): SimpleNode[] {
    const found = this.comments();
    if (found.length > 0) this.operandComment = true;
    return found;
  }

  /**
   * Commands joined by `&&`, `||` and `|`, with redirects. tree-sitter-bash
   * nests `&&`/`||` to the left, keeps a pipeline flat and binding tighter,
   * and gives a redirect after a command everything before it in the
   * statement: `a && b > f` is redirected_statement(list(a && b), > f).
   */
  private statement(): SimpleNode {
    let left: SimpleNode | undefined;
    let operator: SimpleNode | undefined;
    /** Comments between `&&` or `||` and the command after it, children of the list they stand in. */
    let notes: SimpleNode[] = [];
    // Comments after a `|` stand in the pipeline, so its commands are counted apart.
    let pipe: SimpleNode[] = [this.command()];
    let piped = 1;
    /** Whether a pipeline of three or more commands was read before the first `&&` or `||`. */
    let opensWithLongPipeline = false;
    const current = (): SimpleNode => {
      const right = pipe.length > 1 ? this.span('pipeline', pipe) : pipe[0]!;
      return left && operator ? this.span('list', [left, operator, ...notes, right]) : right;
    };
    for (;;) {
      this.skipBlanks();
      const ch = this.src[this.pos];
      const next = this.src[this.pos + 1];
      if ((ch === '&' && next === '&') || (ch === '|' && next === '|')) {
        // A statement that opens with three or more piped commands and goes on with `&&` or `||` is read
        // its own way by tree-sitter-bash's choice among its parses: `a | b | c && d` is
        // pipeline(a | list(pipeline(b | c) && d)).
        if (!left && opensWithLongPipeline) outside();
        left = current();
        operator = this.token(2);
        this.skipBlanksAndLines();
        notes = this.operandComments();
        pipe = [this.command()];
        piped = 1;
      } else if (ch === '|') {
        pipe.push(this.token(next === '&' ? 2 : 1));
        this.skipBlanksAndLines();
        pipe.push(...this.operandComments(), this.command());
        piped++;
        if (piped >= 3) {
          this.longPipeline = true;
          if (!left) opensWithLongPipeline = true;
        }
      } else if (this.atRedirect()) {
        const body = current();
        const children = [body];
        const fields: Array<string | null> = ['body'];
        do {
          children.push(this.redirect());
          fields.push('redirect');
          this.skipBlanks();
        } while (this.atRedirect());
        left = undefined;
        operator = undefined;
        notes = [];
        pipe = [this.span('redirected_statement', children, fields)];
        piped = 1;
      } else {
        return current();
      }
    }
  }

  /** A node from its first child's start to its last child's end. */
  private span(type: string, children: SimpleNode[], fields: ReadonlyArray<string | null> = []): SimpleNode {
    return this.node(
      type,
      children[0]!.startIndex,
      children[children.length - 1]!.endIndex,
      children,
      fields,
    );
  }

  /** Whether a file redirect starts here: `>`, `<`, `&>`, or a descriptor's digits right before one. */
  private atRedirect(): boolean {
    const ch = this.src[this.pos];
    if (ch === '>' || ch === '<') return true;
    if (ch === '&') return this.src[this.pos + 1] === '>';
    let i = this.pos;
    while (i < this.src.length && this.src.charCodeAt(i) >= 0x30 && this.src.charCodeAt(i) <= 0x39) i++;
    return i > this.pos && (this.src[i] === '>' || this.src[i] === '<');
  }

  /** The end of a command's words: the text's end, an operator, a redirect or the `)` of `$(…)`. */
  private atWordsEnd(): boolean {
    if (this.atEnd()) return true;
    const ch = this.src[this.pos];
    return (
      ch === ';' || ch === '&' || ch === '|' || ch === ')' || ch === '\n' || ch === '#' || this.atRedirect()
    );
  }

  private command(): SimpleNode {
    if (this.src[this.pos] === '[' && (this.src[this.pos + 1] === ' ' || this.src[this.pos + 1] === '\t')) {
      return this.testCommand();
    }
    DECLARATION.lastIndex = this.pos;
    const declaration = DECLARATION.exec(this.src)?.[0];
    if (declaration) return this.declaration(declaration.length);
    const children: SimpleNode[] = [];
    const fields: Array<string | null> = [];
    for (;;) {
      ASSIGNMENT_NAME.lastIndex = this.pos;
      const match = ASSIGNMENT_NAME.exec(this.src);
      if (!match) break;
      children.push(this.assignment(match[0].length - 1));
      fields.push(null);
      this.skipBlanks();
    }
    if (this.atWordsEnd()) {
      // A redirect before the command's name, or a statement of assignments alone followed by one.
      // `X= Y=1` then a line break (or a comment and one): tree-sitter-bash takes the next line's first word for the command.
      const ch = this.src[this.pos];
      if (this.atRedirect() || children.length === 0 || ch === '\n' || ch === '#') outside();
      if (children.length === 1) return children[0]!;
      return this.span('variable_assignments', children);
    }
    const name = this.literal();
    // Where a command's name may stand, tree-sitter-bash's scanner takes `a=`, `-1a=`, `a+`, `a:`, `a%`, `a@`, `a?` for a variable name.
    // A leading `-` sends it down the scanner's test-operator path, which may swallow what follows;
    // `if`, `if${X}` are the keyword (elsewhere, where no keyword may stand, they are words).
    for (const piece of name.type === 'concatenation' ? name.children : [name]) {
      if (piece.type !== 'word' && piece.type !== 'number') continue;
      if (/^-|=|\w([:%@?]|\+[=:])/.test(piece.text) || RESERVED.has(piece.text)) outside();
    }
    children.push(this.span('command_name', [name]));
    fields.push('name');
    for (;;) {
      this.skipBlanks();
      if (this.atWordsEnd()) break;
      const argument = this.literal();
      const first = argument.type === 'concatenation' ? argument.children[0]! : argument;
      // tree-sitter-bash reads `== x` and `=~ x` arguments as test operators.
      if (first.type === 'word' && /^=[=~]/.test(first.text)) outside();
      children.push(argument);
      fields.push('argument');
    }
    return this.span('command', children, fields);
  }

  /**
   * `export A=1 B -x` and its kin: tree-sitter-bash's declaration_command, whose arguments are
   * assignments, bare names (variable_name) and options (word), with no fields. Any other argument
   * (a quoted one, an expansion, `A+=1`, `a:b`, a number) is read in ways of its own, and bails.
   */
  private declaration(keywordLength: number): SimpleNode {
    const children = [this.token(keywordLength)];
    for (;;) {
      this.skipBlanks();
      // tree-sitter-bash reads on past a comment and its line break: `export # c\nA=1` is one declaration.
      if (this.src[this.pos] === '#') outside();
      if (this.atWordsEnd()) break;
      ASSIGNMENT_NAME.lastIndex = this.pos;
      const assignment = ASSIGNMENT_NAME.exec(this.src)?.[0];
      if (assignment) {
        children.push(this.assignment(assignment.length - 1));
      } else {
        DECLARED.lastIndex = this.pos;
        const word = DECLARED.exec(this.src)?.[0];
        if (!word) outside();
        const type = word.startsWith('-') ? 'word' : 'variable_name';
        children.push(this.node(type, this.pos, this.pos + word.length));
        this.pos += word.length;
      }
      if (!this.atArgumentEnd()) outside();
    }
    return this.span('declaration_command', children);
  }

  /**
   * `[ -f x ]`, `[ ! -d x ]`, `[ "$X" = y ]`, `[ $N -eq 1 ]`, `[ x ]`: tree-sitter-bash's test_command
   * with one unary or binary test, each operand a single piece. `-a`/`-o`, `<`, `[[ … ]]` and
   * `!` before a comparison (which it reads as (! left) = right) are left to it.
   */
  private testCommand(): SimpleNode {
    const start = this.pos;
    this.firstTest = Math.min(this.firstTest, start);
    const children = [this.token(1)];
    this.skipBlanks();
    let negation: SimpleNode | undefined;
    if (this.src[this.pos] === '!' && /[ \t]/.test(this.src[this.pos + 1] ?? '')) {
      negation = this.token(1);
      this.skipBlanks();
    }
    let test: SimpleNode;
    TEST_UNARY.lastIndex = this.pos;
    const unary = TEST_UNARY.exec(this.src)?.[0];
    if (unary) {
      const operator = this.node('test_operator', this.pos, this.pos + unary.length);
      this.pos += unary.length;
      this.skipBlanks();
      const operand = this.testOperand();
      test = this.node(
        'unary_expression',
        operator.startIndex,
        operand.endIndex,
        [operator, operand],
        ['operator'],
      );
    } else {
      test = this.testOperand();
      this.skipBlanks();
      if (this.src[this.pos] !== ']') {
        if (negation) outside();
        TEST_BINARY.lastIndex = this.pos;
        const binary = TEST_BINARY.exec(this.src)?.[0];
        if (!binary) outside();
        const operator = binary.startsWith('-')
          ? this.node('test_operator', this.pos, this.pos + binary.length)
          : this.token(binary.length);
        this.pos = operator.endIndex;
        this.skipBlanks();
        const right = this.testOperand();
        // After `==` or `!=` tree-sitter-bash's scanner reads a word as an extglob_pattern, or not (`!= a` is
        // one, `!= none` a word): only quoted or expanded right sides there.
        if (binary !== '=' && !binary.startsWith('-') && (right.type === 'word' || right.type === 'number')) {
          outside();
        }
        test = this.span('binary_expression', [test, operator, right], ['left', 'operator', 'right']);
      }
    }
    if (negation) {
      test = this.node(
        'unary_expression',
        negation.startIndex,
        test.endIndex,
        [negation, test],
        ['operator'],
      );
    }
    children.push(test);
    this.skipBlanks();
    if (this.src[this.pos] !== ']') outside();
    children.push(this.token(1));
    if (!this.atArgumentEnd()) outside();
    return this.node('test_command', start, this.pos, children);
  }

  /** One piece inside `[ … ]`: not an operator-like word (`-x`, `!`, `=`), nor a concatenation. */
  private testOperand(): SimpleNode {
    const ch = this.src[this.pos];
    if (ch === '-' || ch === '!' || ch === '=') outside();
    const operand = this.literal();
    if (operand.type === 'concatenation') outside();
    // A reserved word (`[ if ]`) is the keyword there, `*` an operator (`[ -f * ]`): plain words only.
    if (operand.type === 'word' && (!TEST_WORD.test(operand.text) || RESERVED.has(operand.text))) outside();
    return operand;
  }

  /** Blanks, the end, a line break, `;`, `&`, `|` or the `)` of `$(…)`: not a redirect, which may take digits. */
  private atArgumentEnd(): boolean {
    const ch = this.src[this.pos];
    return (
      ch === undefined ||
      ch === ' ' ||
      ch === '\t' ||
      ch === '\n' ||
      ch === ';' ||
      ch === '&' ||
      ch === '|' ||
      ch === ')'
    );
  }

  /** `NAME=value` (or `NAME=` alone), the name `nameLength` long starting here. */
  private assignment(nameLength: number): SimpleNode {
    const start = this.pos;
    const name = this.node('variable_name', start, start + nameLength);
    this.pos += nameLength;
    const equals = this.token(1);
    const ch = this.src[this.pos];
    if (ch === undefined || ch === ' ' || ch === '\t') {
      return this.node('variable_assignment', start, this.pos, [name, equals], ['name']);
    }
    const value = this.literal();
    return this.node('variable_assignment', start, this.pos, [name, equals, value], ['name', null, 'value']);
  }

  private redirect(): SimpleNode {
    const start = this.pos;
    this.lastRedirect = start;
    const children: SimpleNode[] = [];
    const fields: Array<string | null> = [];
    DIGITS.lastIndex = this.pos;
    const digits = DIGITS.exec(this.src)?.[0];
    if (digits) {
      // tree-sitter-bash's scanner reads a leading 0 apart (`0>`, `08>` are errors there): one digit 1-9 only.
      if (!/^[1-9]$/.test(digits)) outside();
      children.push(this.node('file_descriptor', start, start + 1));
      fields.push('descriptor');
      this.pos += 1;
    }
    const rest = this.src.slice(this.pos, this.pos + 3);
    // Heredocs, here-strings, process substitution, `<>` and closing a descriptor (`>&-`) are not in the subset.
    if (/^(<<|<\(|>\(|<>|[<>]&-)/.test(rest)) outside();
    const operator = REDIRECT_OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (!operator) outside();
    children.push(this.token(operator.length));
    fields.push(null);
    this.skipBlanks();
    // tree-sitter-bash takes every word up to the next operator as a destination: `> f x` has two.
    do {
      children.push(this.literal());
      fields.push('destination');
      this.skipBlanks();
    } while (!this.atWordsEnd());
    return this.span('file_redirect', children, fields);
  }

  /** Pieces without blanks between them: one piece is itself, more a concatenation. */
  private literal(): SimpleNode {
    const start = this.pos;
    const pieces: SimpleNode[] = [];
    for (;;) {
      const code = this.src.charCodeAt(this.pos);
      if (code === 0x27) pieces.push(this.rawString());
      else if (code === 0x22) pieces.push(this.string());
      else if (code === 0x24) {
        // After another piece, `$1`, `$$` and even `$X` may be a bare `$` to tree-sitter-bash (`'x'$1`, `a$$`,
        // `a'b'$X*`): only names, only after a word or another expansion.
        const previous = pieces[pieces.length - 1];
        if (
          previous &&
          (!/[A-Za-z{(]/.test(this.src[this.pos + 1] ?? '') || !CONTINUABLE.has(previous.type))
        ) {
          outside();
        }
        pieces.push(this.dollar());
      } else if (code === 0x5c || isWordChar(code)) pieces.push(this.word());
      else break;
    }
    if (pieces.length === 0) outside();
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (piece.type !== 'word' && piece.type !== 'number') continue;
      // After another piece a `\\` may end the word where tree-sitter ends the command name.
      if (i > 0 && piece.text.includes('\\')) outside();
    }
    // What may follow a word: blanks, the end, an operator or redirect, the `)` of `$(…)`.
    const after = this.src[this.pos];
    if (
      !(after === undefined || after === ' ' || after === '\t' || after === ';' || after === '&') &&
      !(after === '|' || after === ')' || after === '<' || after === '>' || after === '\n')
    ) {
      outside();
    }
    // `- 2>f`: the scanner reads past a lone `-` and takes it into the descriptor.
    if (pieces[pieces.length - 1]!.text === '-') {
      BLANKS_THEN_DIGIT.lastIndex = this.pos;
      if (BLANKS_THEN_DIGIT.test(this.src)) outside();
    }
    // `x"y"2>f`, `-1>f`: whether tree-sitter takes the digits for a descriptor is not worth knowing.
    if ((after === '<' || after === '>') && /[0-9]$/.test(pieces[pieces.length - 1]!.text)) outside();
    if (pieces.length === 1) return pieces[0]!;
    return this.node('concatenation', start, this.pos, pieces);
  }

  private word(): SimpleNode {
    const start = this.pos;
    // A line break before `\x` becomes part of the word to tree-sitter-bash, the argument of the line before.
    if (this.src[start] === '\\') {
      for (let i = start - 1; i >= 0 && /[ \t\n]/.test(this.src[i]!); i--)
        if (this.src[i] === '\n') outside();
    }
    for (;;) {
      const code = this.src.charCodeAt(this.pos);
      if (code === 0x5c) {
        const next = this.src.charCodeAt(this.pos + 1);
        // `\ ` inside a word belongs to it; at its start tree-sitter skips it as blank; `\<newline>` continues a line.
        if (next === 0x20 && this.pos === start) outside();
        if (!(next === 0x20 || (next > 0x20 && next < 0x7f))) outside();
        this.pos += 2;
      } else if (isWordChar(code)) {
        this.pos++;
      } else break;
    }
    const text = this.src.slice(start, this.pos);
    return this.node(NUMBER.test(text) ? 'number' : 'word', start, this.pos);
  }

  private rawString(): SimpleNode {
    const start = this.pos;
    const end = this.src.indexOf("'", start + 1);
    if (end === -1) outside();
    this.pos = end + 1;
    return this.node('raw_string', start, this.pos);
  }

  private string(): SimpleNode {
    const start = this.pos;
    const children = [this.token(1)];
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined || ch === '`' || ch === '\n' || ch === '\r') outside();
      if (ch === '"') break;
      if (ch === '$') {
        children.push(this.dollar());
        continue;
      }
      const contentStart = this.pos;
      for (;;) {
        const c = this.src[this.pos];
        if (c === undefined || c === '"' || c === '$' || c === '`' || c === '\n' || c === '\r') break;
        if (c === '\\') {
          const next = this.src[this.pos + 1];
          if (next === undefined || next === '\n' || next === '\r') outside();
          this.pos += 2;
        } else this.pos++;
      }
      // Blanks alone between expansions are skipped by tree-sitter's lexer, not made content: not worth copying.
      if (/^[ \t]*$/.test(this.src.slice(contentStart, this.pos))) outside();
      children.push(this.node('string_content', contentStart, this.pos));
    }
    children.push(this.token(1));
    return this.node('string', start, this.pos, children);
  }

  /** `$NAME`, `$1`, `$@`…, `${…}` or `$(…)`; a bare `$` and every other form bail. */
  private dollar(): SimpleNode {
    const start = this.pos;
    const next = this.src[this.pos + 1];
    if (next === '(') return this.commandSubstitution();
    if (next === '{') return this.expansion();
    const dollar = this.token(1);
    if (next === '@' || next === '?' || next === '$' || next === '*' || next === '#') {
      // `$*abc` is read as one odd name.
      if (/\w/.test(this.src[this.pos + 1] ?? '')) outside();
      const special = this.node('special_variable_name', this.pos, this.pos + 1);
      this.pos++;
      return this.node('simple_expansion', start, this.pos, [dollar, special]);
    }
    VARIABLE_NAME.lastIndex = this.pos;
    const name = VARIABLE_NAME.exec(this.src)?.[0];
    // `$_` is a special parameter to tree-sitter-bash, `$_x` a name: simpler to leave both.
    if (!name || name.startsWith('_')) outside();
    const variable = this.node('variable_name', this.pos, this.pos + name.length);
    this.pos += name.length;
    return this.node('simple_expansion', start, this.pos, [dollar, variable]);
  }

  /**
   * `${NAME}`, `${#NAME}`, `${NAME:-word}` and its kin (a plain word, `$VAR`, `${…}` or nothing after
   * the operator), `${NAME#pattern}` and its kin, and `${NAME/pattern/word}` and its kin, each
   * pattern plain (tree-sitter-bash's regex token, which takes a quote or a `$` its own way).
   */
  private expansion(): SimpleNode {
    const start = this.pos;
    const children = [this.token(2)];
    const fields: Array<string | null> = [null];
    // `${#}` is the count of arguments, `${#NAME}` a length: only the second is read here.
    const length = this.src[this.pos] === '#';
    if (length) {
      children.push(this.token(1));
      fields.push('operator');
    }
    EXPANSION_NAME.lastIndex = this.pos;
    const name = EXPANSION_NAME.exec(this.src)?.[0];
    // `${_}` names the special parameter `_` (special_variable_name); `${_x}` is a plain name.
    if (!name || name === '_') outside();
    children.push(this.node('variable_name', this.pos, this.pos + name.length));
    fields.push(null);
    this.pos += name.length;
    if (this.src[this.pos] !== '}') {
      if (length) outside();
      EXPANSION_OPERATOR.lastIndex = this.pos;
      const operator = EXPANSION_OPERATOR.exec(this.src)?.[0];
      if (!operator) outside();
      children.push(this.token(operator.length));
      fields.push('operator');
      if (operator.startsWith('#') || operator.startsWith('%')) {
        children.push(this.pattern(EXPANSION_PATTERN));
        fields.push(null);
      } else if (operator.startsWith('/')) {
        children.push(this.pattern(EXPANSION_SEARCH));
        fields.push(null);
        if (this.src[this.pos] === '/') {
          children.push(this.token(1));
          fields.push('operator');
          this.expansionValue(children, fields, true);
        }
      } else {
        this.expansionValue(children, fields, false);
      }
      if (this.src[this.pos] !== '}') outside();
    }
    children.push(this.token(1));
    fields.push(null);
    return this.node('expansion', start, this.pos, children, fields);
  }

  /** The pattern after `#`, `%` or `/`: tree-sitter-bash's regex token, here only of plain characters. */
  private pattern(characters: RegExp): SimpleNode {
    characters.lastIndex = this.pos;
    const text = characters.exec(this.src)?.[0];
    if (!text) outside();
    const node = this.node('regex', this.pos, this.pos + text.length);
    this.pos += text.length;
    return node;
  }

  /** What follows `:-` and its kin or a replacement's `/`, if anything: a word, `$VAR` or `${…}`. */
  private expansionValue(children: SimpleNode[], fields: Array<string | null>, replacement: boolean): void {
    const ch = this.src[this.pos];
    if (ch === '}') return;
    if (ch === '$' && this.src[this.pos + 1] === '{') {
      if (this.depth >= MAX_DEPTH) outside();
      this.depth++;
      children.push(this.expansion());
      this.depth--;
    } else if (ch === '$') {
      VARIABLE_NAME.lastIndex = this.pos + 1;
      const inner = VARIABLE_NAME.exec(this.src)?.[0];
      if (!inner || inner.startsWith('_')) outside();
      const innerStart = this.pos;
      const dollar = this.token(1);
      const variable = this.node('variable_name', this.pos, this.pos + inner.length);
      this.pos += inner.length;
      children.push(this.node('simple_expansion', innerStart, this.pos, [dollar, variable]));
    } else {
      EXPANSION_WORD.lastIndex = this.pos;
      const word = EXPANSION_WORD.exec(this.src)?.[0];
      // `a-b` is concatenation(variable_name a, word -b) to tree-sitter-bash; a replacement `1` is a number
      // (where `${X:-1}` has a word).
      if (!word || /^\w+-/.test(word) || (replacement && /^[0-9]/.test(word))) outside();
      children.push(this.node('word', this.pos, this.pos + word.length));
      this.pos += word.length;
    }
    fields.push(null);
  }

  private commandSubstitution(): SimpleNode {
    // `$((…))` is arithmetic.
    if (this.src[this.pos + 2] === '(' || this.depth >= MAX_DEPTH) outside();
    const start = this.pos;
    const open = this.token(2);
    this.depth++;
    // The statement around is judged on its own pipelines and comments, not on these.
    const { longPipeline, operandComment } = this;
    const inner = this.statements(true);
    this.longPipeline = longPipeline;
    this.operandComment = operandComment;
    this.depth--;
    const close = this.token(1);
    return this.node('command_substitution', start, this.pos, [open, ...inner, close]);
  }
}
