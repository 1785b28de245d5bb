/**
 * The fast path must build tree-sitter-bash's tree or none: these compare the
 * two, node by node, on every shell script of the fixtures and on generated
 * ones, and compare whole models parsed with and without the fast path.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { loadShellParser, setSimpleShellEnabled } from '../../src/dockerfile/shell.js';
import type { ShellNode } from '../../src/dockerfile/shell-tree.js';
import { MAX_SIMPLE_SCRIPT, parseSimpleShell } from '../../src/dockerfile/simple-shell.js';
import type { DockerfileModel, ShellScript } from '../../src/dockerfile/types.js';
import { fixtureDockerfiles } from '../helpers/source-files.js';

/** Type, named flag, offsets and field name of every node, depth first. */
function dump(node: ShellNode, field: string | null = null, out: string[] = []): string {
  out.push(
    `${field ?? ''}:${node.isNamed ? node.type : JSON.stringify(node.type)}[${node.startIndex},${node.endIndex}]${node.hasError ? '!' : ''}(`,
  );
  for (let i = 0; i < node.childCount; i++) dump(node.child(i)!, node.fieldNameForChild(i), out);
  out.push(')');
  return out.join('');
}

let parser: Parser;
beforeAll(async () => {
  parser = await loadShellParser();
});
afterEach(() => setSimpleShellEnabled(true));

/** The fast path's dump, or undefined when it bails; throws when its tree is not tree-sitter's. */
function compare(text: string): string | undefined {
  const simple = parseSimpleShell(text);
  if (!simple) return undefined;
  const tree = parser.parse(text)!;
  try {
    const expected = dump(tree.rootNode);
    const actual = dump(simple.rootNode);
    if (actual !== expected) {
      throw new Error(
        `fast path differs on ${JSON.stringify(text)}\ntree-sitter: ${expected}\nfast path:   ${actual}`,
      );
    }
    return actual;
  } finally {
    tree.delete();
  }
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/** The scripts parseShell is given for a model: each RUN/CMD/ENTRYPOINT script and each `sh -c` string in them. */
function scriptsOf(model: DockerfileModel): string[] {
  const texts: string[] = [];
  const add = (script: ShellScript | undefined, whole: boolean) => {
    if (!script) return;
    if (whole) texts.push(script.text);
    for (const command of script.commands) {
      if (!SHELLS.has(command.program)) continue;
      const dashC = command.args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
      const inner = command.args[dashC + 1];
      if (dashC !== -1 && inner !== undefined) texts.push(inner);
    }
  };
  for (const instruction of model.instructions) {
    if (
      instruction.keyword !== 'RUN' &&
      instruction.keyword !== 'CMD' &&
      instruction.keyword !== 'ENTRYPOINT'
    )
      continue;
    const withScript = instruction as { form?: string; script?: ShellScript };
    add(withScript.script, withScript.form !== 'exec');
  }
  return texts;
}

describe('the fast shell path against tree-sitter-bash', () => {
  const files = fixtureDockerfiles();

  it('builds the same tree for every fixture script it takes, and takes most of them', async () => {
    let scripts = 0;
    let fast = 0;
    for (const file of files) {
      let model: DockerfileModel;
      try {
        model = await parseDockerfile(readFileSync(file, 'utf8'), file);
      } catch {
        continue; // fixtures of Dockerfiles Docker rejects
      }
      for (const text of scriptsOf(model)) {
        scripts++;
        if (compare(text) !== undefined) fast++;
      }
    }
    const share = fast / scripts;
    console.log(
      `fast shell path: ${fast} of ${scripts} fixture scripts (${(share * 100).toFixed(1)}%) in ${files.length} Dockerfiles`,
    );
    expect(files.length).toBeGreaterThan(200);
    expect(scripts).toBeGreaterThan(500);
    // Measured 96.8%: a change that bails on common shapes must fail here, not only slow down.
    expect(share).toBeGreaterThan(0.93);
  });

  it('builds the whole model the same with and without the fast path', async () => {
    const serialise = (model: DockerfileModel) =>
      JSON.stringify(model, (_key, value) =>
        typeof value === 'function' ? undefined : value instanceof Set ? [...value] : value,
      );
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      setSimpleShellEnabled(false);
      const slow = await parseDockerfile(text, file).then(
        serialise,
        (error: Error) => `throws ${error.message}`,
      );
      setSimpleShellEnabled(true);
      const fast = await parseDockerfile(text, file).then(
        serialise,
        (error: Error) => `throws ${error.message}`,
      );
      expect(fast, file).toBe(slow);
      compared++;
    }
    expect(compared).toBe(files.length);
  });

  it.each([
    ['apt-get update && apt-get install -y curl=7.* >/dev/null 2>&1 foo', true],
    ['a && b | c > y', true],
    ['a | b 2>&1 | c', true],
    ['X=1 Y="a b" PATH=/x:$PATH make -j$(nproc) install', true],
    ['echo "${HOME:-/root}/bin" \'$raw\' ${V:-1.2}.tar.gz', true],
    ['X=1 Y=2', true],
    ['sh -c "cd /app && npm ci"', true],
    ['set -eux\napt-get update\napt-get install -y curl\n', true],
    ['g++ -O2 -o solver main.cpp && poetry export -f requirements.txt', true],
    ['a\n| b', false],
    ['c++=1 x', false],
    ['if true; then a; fi', false],
    ['a & b', false],
    ['echo `date`', false],
    ['cat <<EOF\nx\nEOF', false],
    ['(cd x && make)', false],
    ['echo $((1 + 2))', false],
    ['a # comment', true],
    ['export A=1', true],
    // Declarations: assignments, bare names and options; anything else is read its own way.
    ['export A=1 B', true],
    ['export -p', true],
    ['readonly X; local a=1 _b', true],
    ['declare -x A=1 B=$(b) C=', true],
    ['a && export X=$Y B="c d" && b', true],
    ['export A=1 > f && echo $(export B=2)', true],
    ['X=1 export A', false],
    ['_=1 a', false],
    ['export _=1', false],
    ['export A+=1', false],
    ['export "A=1"', false],
    ['export $X', false],
    ['export a:b', false],
    ['export 10', false],
    ['export A=1 # c', false],
    ['export # c\nX= a', false],
    // Comments: a statement's sibling, or a child of the list or pipeline an operator leaves open.
    ['a && b # c d && e', true],
    ['a && # c\n # d\n b', true],
    ['a | # c\n b', true],
    ['#!/bin/sh\na; # c\nb > f # c \\\nd', true],
    ['X=1 # c', false],
    ['X= # c\na', false],
    ['a#c', false],
    ['  # only', false],
    ['echo $(a # c\n)', false],
    ['a \\\n# c\nb', false],
    // Pipelines of any length, `|&`; not where tree-sitter-bash's choice among its parses is its own.
    ['a | b | c | d', true],
    ['a | b | c > f; d', true],
    ['x && a | b | c > f', true],
    ['a && b | c | d && e', true],
    ['a |& b | c', true],
    ['a | b > f | c || d', true],
    ['a | b | c && d', false],
    ['a | b | c\nd > f', false],
    ['a | b | c # c', false],
    ['a && b | c | d || # c\ne', false],
    // One test in `[ … ]`, each operand one piece.
    ['a > f && [ ! -d /var/www/html ] && [ -f "$X" ] || [ "$X" != "none" ]', true],
    ['[ $N -eq 1 ]; [ "a" ]; [ ! a ]; echo $([ -n "${X:-}" ])', true],
    ['[ ! "$X" = y ]', false],
    ['[ x -ne 1 ] && make > f\n\n[ -f x ]', false],
    ['[ -f x ] && a > f', false],
    ['[ "$X" != none ]', false],
    ['[ x == a ]', false],
    ['[ -f * ]', false],
    ['[ -f / ]', false],
    ['[ if ]', false],
    ['[ a% ]', false],
    ['[ -e x -a -f y ]', false],
    ['[ a = b=c ]', false],
    ['[ a < b ]', false],
    ['[ -f x]', false],
    ['[[ -f x ]]', false],
    // Expansions with operators, patterns plain and replacements plain.
    ['echo ${X#v} ${X##*-} ${X%.*} ${X%%[!0-9]*} "${X%%/*}"', true],
    ['echo ${X/a/b} ${X//a/} ${X/#a/$Y} ${X/%a} ${X/a/${Y}}', true],
    ['echo "${#X}" ${X:+a} ${X:?m} ${X?m} ${X:-${Y:-z}}', true],
    ['arch="$(dpkg --print-architecture)"; arch="${arch##*-}"', true],
    ['echo ${X#"$Y"}', false],
    ['echo ${X#]} ${X/][/a}', false],
    ['echo ${X#$Y}', false],
    ['echo ${X#}', false],
    ['echo ${#}', false],
    ['echo ${X:-a-b}', false],
    ['echo ${X/a/1}', false],
    ['echo ${X/a/b c}', false],
    ['echo ${_} ${_:-a}', false],
    ['echo ${X^^}', false],
    ['echo ${X:1:2}', false],
    ['echo "unterminated', false],
    ['', false],
  ])('%j: takes it %s, and then as tree-sitter does', (text, taken) => {
    expect(compare(text) !== undefined).toBe(taken);
  });

  // Words, quotes, expansions, operators and redirects, with some constructs outside the subset among them.
  // Mostly shapes of the subset, some of the odd ones tree-sitter-bash reads its own way, some constructs outside it.
  const often = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });
  const word = often(
    fc.constantFrom(
      'a',
      'apt-get',
      '-y',
      '--no-cache',
      '-rf',
      'x=1',
      '10',
      '-1',
      '*.txt',
      '/dev/null',
      'a:b',
      'a.b',
    ),
    fc.constantFrom(
      '-',
      '--',
      'a=b=c',
      '08',
      '0x10',
      '0x1F',
      '1.5',
      '~/x',
      '%',
      '@',
      '+x',
      '=',
      '==',
      '=~',
      'a\\ b',
      '\\ a',
      '\\$x',
      'a\\',
      'if',
      'done',
      'export',
      '!',
      '{',
      '}',
      '[',
      ']',
      '#c',
      'a#b',
      'é',
      '_x=1',
      '_=1',
      '1a=b',
      'X+=1',
    ),
  );
  // `${…}` built from its parts, so operators meet patterns and words they do and do not take.
  const expansionBody = often(
    fc.constantFrom(
      'a',
      '*-',
      '.*',
      '/*',
      '*/',
      'a.b',
      '.tar.gz',
      'v',
      '-',
      '*[0-9]',
      '[!0-9]*',
      'a/b',
      '$Y',
      '${Y}',
      '',
    ),
    fc.constantFrom(
      'a-b',
      'a=b',
      'a b',
      '"a"',
      "'a'",
      '"$Y"',
      '$_',
      '$1',
      '${Y:-z}',
      '${Y#a}',
      '][',
      '[a',
      'a]',
      '[]a]',
      '[!]',
      '\\/',
      '#',
      '%',
      '}',
      '1',
      '-1',
      'a:b',
      '$(a)',
      '`a`',
      '{',
      'é',
    ),
  );
  const expansionOperator = often(
    fc.constantFrom(':-', ':+', '#', '##', '%', '%%', '/', '//'),
    fc.constantFrom('-', '+', '=', '?', ':=', ':?', '/#', '/%', ':', '^^', ',,', '^', '!', '@'),
  );
  const braced = fc
    .tuple(
      often(fc.constant(''), fc.constant('#')),
      often(fc.constantFrom('X', 'A_B', 'x1'), fc.constantFrom('1', '@', '_', '#', '')),
      fc.option(
        fc.tuple(expansionOperator, expansionBody, fc.option(fc.tuple(fc.constant('/'), expansionBody))),
      ),
    )
    .map(
      ([length, name, rest]) =>
        `\${${length}${name}${rest ? rest[0] + rest[1] + (rest[2] ? rest[2][0] + rest[2][1] : '') : ''}}`,
    );
  const inDoubleQuotes = fc
    .array(
      often(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              'a',
              'b c',
              ' a',
              '$X',
              '${X}',
              '${X:-d}',
              '$(a b)',
              '\\"',
              '#',
              '{',
              "'",
            ),
          },
          braced,
        ),
        fc.constantFrom(' ', '$1', '$@', '$$', '$_', '\\\\', '\\$', '$', '`a`'),
      ),
      { maxLength: 4 },
    )
    .map((parts) => `"${parts.join('')}"`);
  const inSingleQuotes = fc.constantFrom("'a b'", "''", '\'$X "q"\'', "'", "'\\'");
  const dollar = often(
    fc.oneof(
      { weight: 3, arbitrary: braced },
      fc.constantFrom(
        '$X',
        '${X}',
        '${X:-a}',
        '${X:-}',
        '${X:-$Y}',
        '$(a b)',
        '$(a && b)',
        '$(a | b)',
        '$(a | b | c)',
        '$(export A=1)',
        '$@',
        '$1',
      ),
    ),
    fc.constantFrom(
      '$12',
      '$?',
      '$_',
      '$_a',
      '$$',
      '$#',
      '$!',
      '$*',
      '$-',
      '$',
      '${1}',
      '${X-a}',
      '${X:=a}',
      '${X:-1}',
      '${X:-a b}',
      '${X:--a}',
      '${X:-a-b}',
      '$((1+2))',
      '$( a ; b )',
      '$()',
      '$(a > f)',
      '$(X=1)',
      '$(a $(b))',
      '$(a # c\n)',
      '$(a # c)',
      "$'a'",
      '$"a"',
    ),
  );
  const literal = fc
    .array(fc.oneof({ weight: 4, arbitrary: word }, inDoubleQuotes, inSingleQuotes, dollar), {
      minLength: 1,
      maxLength: 3,
    })
    .map((pieces) => pieces.join(''));
  const blank = fc.constantFrom(' ', ' ', ' ', '\t', '  ');
  const redirect = often(
    fc.constantFrom('> f', '>f', '2>&1', '>/dev/null', '&>/dev/null', '>> log', '< in', '2> err', '1>&2'),
    fc.constantFrom('>&2', '&>>log', '08>f', '<<EOF', '<<<x', '>&-', '<(a)', '>| f', '<> f', '>'),
  );
  const assignment = fc
    .tuple(
      often(fc.constantFrom('X', 'A_B', 'x1'), fc.constantFrom('_', '_x', '1A')),
      often(fc.constant('='), fc.constant('+=')),
      fc.option(literal, { nil: '' }),
    )
    .map(([name, equals, value]) => `${name}${equals}${value}`);
  const name = often(fc.constantFrom('a', 'apt-get', 'make', './run.sh', '"$X"'), literal);
  // `export A=1 B -x` and its kin, with arguments of every kind among the usual ones.
  const declaration = fc
    .tuple(
      often(
        fc.constantFrom('export', 'declare', 'readonly', 'local', 'typeset'),
        fc.constantFrom('unset', 'export;', 'export|', 'exports', '\\export'),
      ),
      fc.array(
        fc.oneof(
          { weight: 3, arbitrary: assignment },
          { weight: 2, arbitrary: fc.constantFrom('A', 'B_1', '_x', '-p', '-x', '-rx') },
          often(
            fc.constantFrom(
              'A+=1',
              '1A=2',
              'A[1]=2',
              'a:b',
              'a%',
              'a+',
              '=x',
              '==',
              '10',
              '-1',
              'a-b',
              '-',
              '--',
            ),
            literal,
          ),
        ),
        { maxLength: 3 },
      ),
      blank,
    )
    .map(([keyword, args, space]) => [keyword, ...args].join(space));
  const command = fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<string[]>([]) },
        fc.array(assignment, { minLength: 1, maxLength: 2 }),
      ),
      often(
        name.chain((first) => fc.array(literal, { maxLength: 4 }).map((rest) => [first, ...rest])),
        fc.constant<string[]>([]),
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<string[]>([]) },
        fc.array(redirect, { minLength: 1, maxLength: 2 }),
      ),
      blank,
    )
    .map(([assignments, words, redirects, space]) => [...assignments, ...words, ...redirects].join(space));
  const operator = often(
    fc.constantFrom(
      ' && ',
      ' || ',
      ' | ',
      ' | ',
      ' |& ',
      '; ',
      ';',
      '&&',
      '|',
      '\n',
      ' &&\n  ',
      ';\n',
      '\n\n',
      ' # c\n',
      ' && # c\n  ',
      ' || #c\n# d\n',
      ' | # c\n',
      '; # c && d\n',
      '\n# c\n',
    ),
    fc.constantFrom(
      ' & ',
      ';;',
      ' ;& ',
      '\n| ',
      '\n&& ',
      '\r\n',
      '#c\n',
      ' # c\r\n',
      ' && # c',
      ' # c\n| ',
      ' \\\n ',
      ' \\\n# c\n',
    ),
  );
  const construct = fc.constantFrom(
    'if a; then b; fi',
    '( a )',
    '{ a; }',
    'for i in 1 2; do a; done',
    '[[ a ]]',
    '[ -f x ]',
    'f() { a; }',
    'arr=(1 2)',
    'a # comment',
    '! a',
  );
  // `[ … ]` with one test, among the shapes tree-sitter-bash reads its own way inside it.
  const testOperand = often(
    fc.oneof(
      fc.constantFrom('x', '/a/b.c', '1', '"$X"', '$X', '""', "'a b'", '${X:-y}', '$(a)', 'none', '*'),
      literal,
    ),
    fc.constantFrom(
      '-x',
      '-',
      '!',
      '=',
      'a=b',
      'x]',
      '0x10',
      '08',
      '1.5',
      '-1',
      'a\\ b',
      '"a"b',
      '[',
      ']',
      '[[',
      '',
      '/',
      '+',
      '%',
      '+a',
      '//',
      '/-',
      '%a',
      '.',
      'if',
      '*a',
      'a%',
      'a:b',
      'a@',
      'a+=',
    ),
  );
  const testCommand = fc
    .tuple(
      often(fc.constantFrom('[ ', '[ ! ', '[\t'), fc.constantFrom('[', '[[ ', '[ !', '[ ! ! ', 'test ')),
      fc.oneof(
        fc
          .tuple(
            often(
              fc.constantFrom('-f', '-d', '-n', '-z', '-x', '-t'),
              fc.constantFrom('-a', '-eq', '-ff', '!', '-'),
            ),
            testOperand,
          )
          .map(([operator, operand]) => `${operator} ${operand}`),
        fc
          .tuple(
            testOperand,
            often(
              fc.constantFrom('=', '!=', '==', '-eq', '-ne', '-lt', '-gt', '-nt'),
              fc.constantFrom('=~', '<', '>', '-a', '-o', '-foo', '==='),
            ),
            testOperand,
          )
          .map((parts) => parts.join(' ')),
        testOperand,
      ),
      often(
        fc.constantFrom(' ]', '  ]', '\t]'),
        fc.constantFrom(']', ' ]]', ' ]x', ' -a -f y ]', ' ] ]', ''),
      ),
    )
    .map((parts) => parts.join(''));
  const statement = fc.oneof(
    { weight: 12, arbitrary: command },
    { weight: 3, arbitrary: declaration },
    { weight: 2, arbitrary: testCommand },
    construct,
  );
  const script = fc
    .tuple(
      fc.constantFrom('', ' ', '', '# c\n', '#!/bin/sh\n'),
      statement,
      fc.array(fc.tuple(operator, statement), { maxLength: 4 }),
      fc.constantFrom('', ' ', ';', '\n', ' # c', ' #', '; # c\n'),
    )
    .map(([lead, first, rest, trail]) => lead + first + rest.map(([op, next]) => op + next).join('') + trail);

  it('never builds a tree other than tree-sitter’s, never throws, on generated scripts', () => {
    const runs = 10_000;
    let fast = 0;
    fc.assert(
      fc.property(script, (text) => {
        if (compare(text) !== undefined) fast++;
      }),
      { numRuns: runs },
    );
    console.log(`fast shell path: ${fast} of ${runs} generated scripts`);
    // The generator must reach the fast path often enough for this to test it (about 11% of runs).
    expect(fast).toBeGreaterThan(runs / 14);
  });

  it('builds the same tree for every joining of up to four commands by operators, comments and redirects', () => {
    // tree-sitter-bash's choice among its parses depends on the whole sequence (`a | b | c && d`,
    // `a | b | c\nd > f`): every sequence is tried rather than drawn.
    const operators = [' && ', ' || ', ' | ', ' |& ', '; ', '\n', ' # c\n', ' || # c\n', ' | # c\n'];
    const redirects = ['', ' 2>&1'];
    let scripts = 0;
    let fast = 0;
    const extend = (text: string, commands: number): void => {
      for (const redirect of redirects) {
        const script = text + String.fromCharCode(0x61 + commands) + redirect;
        scripts++;
        if (compare(script) !== undefined) fast++;
        if (commands < 3) for (const operator of operators) extend(script + operator, commands + 1);
      }
    };
    extend('', 0);
    expect(scripts).toBeGreaterThan(12_000);
    expect(fast).toBeGreaterThan(scripts * 0.9);
  });

  it('builds the same tree for every pattern and word of one or two characters in an expansion', () => {
    // The characters tree-sitter-bash's scanner reads its own way in a pattern (`]`, `[`, `!`, quotes) beside plain ones.
    const characters = [...'a1_.-/*?[]!^%#:+@,=~${}"\' '];
    let scripts = 0;
    let fast = 0;
    for (const first of characters) {
      for (const second of ['', ...characters]) {
        const text = first + second;
        for (const script of [
          `echo \${X#${text}}`,
          `echo "\${X%%${text}}"`,
          `echo \${X/${text}/a}`,
          `echo \${X//a/${text}}`,
          `echo \${X:-${text}}`,
          `echo "\${X:+${text}}"`,
        ]) {
          scripts++;
          if (compare(script) !== undefined) fast++;
        }
      }
    }
    expect(scripts).toBeGreaterThan(4_000);
    expect(fast).toBeGreaterThan(scripts / 10);
  });

  it('leaves a script longer than MAX_SIMPLE_SCRIPT to tree-sitter, whose tree is more compact', () => {
    const commands = (count: number) => Array.from({ length: count }, (_, i) => `echo ${i}`).join(' && ');
    let count = 10;
    while (commands(count * 2).length <= MAX_SIMPLE_SCRIPT) count *= 2;
    expect(parseSimpleShell(commands(count))).toBeDefined();
    expect(parseSimpleShell(commands(count * 4))).toBeUndefined();
  });
});

describe('loading tree-sitter', () => {
  it('waits until a script needs it', async () => {
    vi.resetModules();
    const shell = await import('../../src/dockerfile/shell.js');
    const { parseDockerfile: parseFresh } = await import('../../src/dockerfile/parse.js');
    const simple = await parseFresh(
      'FROM debian\nRUN apt-get update && apt-get install -y curl\nCMD ["app"]\n',
    );
    expect(shell.shellParserIfLoaded()).toBeUndefined();
    expect(simple.instructions[1]).toMatchObject({
      script: { commands: [{ program: 'apt-get' }, { program: 'apt-get' }] },
    });
    const compound = await parseFresh('FROM debian\nRUN if true; then make; fi && echo done\n');
    expect(shell.shellParserIfLoaded()).toBeDefined();
    expect(compound.instructions[1]).toMatchObject({
      script: {
        commands: [{ program: 'true' }, { program: 'make', conditional: true }, { program: 'echo' }],
      },
    });
  });
});
