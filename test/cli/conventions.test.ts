/**
 * The conventions every command follows, through the built CLI: usage
 * mistakes are one line and exit 2, help is asked for and never the answer to
 * a mistake, and the shared flags mean the same thing wherever they appear.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WASTEFUL } from '../analyze/wasteful-image.js';
import { expectOneErrorLine, runPare } from '../helpers/cli.js';
import { buildImage, writeImage } from '../helpers/image-writer.js';

const COMMANDS = ['lint', 'fix', 'inspect', 'optimize', 'slim', 'rules', 'completion'];

const dir = mkdtempSync(join(tmpdir(), 'pare-conventions-'));
const dockerfile = join(dir, 'Dockerfile');
writeFileSync(dockerfile, 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\nCMD ["curl"]\n');
writeFileSync(join(dir, 'pare.json'), '{}\n');
let image: string;
beforeAll(async () => {
  image = await writeImage(join(dir, 'image'), 'docker-archive-legacy', [buildImage(WASTEFUL)]);
});

const usageMistakes: Array<[string, string[], RegExp]> = [
  ['an unknown global flag', ['--bogus'], /unknown option '--bogus'/],
  [
    'an unknown flag of a command',
    ['lint', dockerfile, '--bogus'],
    /unknown option '--bogus'.*pare help lint/,
  ],
  ['an unknown command', ['lnt'], /unknown command 'lnt'.*did you mean lint\?/i],
  ['help for an unknown command', ['help', 'lnt'], /unknown command 'lnt'.*did you mean lint\?/i],
  [
    'a misspelt flag',
    ['lint', '--fail-onn', 'error'],
    /unknown option '--fail-onn'.*did you mean --fail-on\?/i,
  ],
  ['a -f of hadolint or docker build', ['optimize', '-f', 'x'], /'-f'.*"--format".*"pare optimize --file"/],
  [
    "hadolint's flag",
    ['lint', '--failure-threshold', 'error'],
    /'--failure-threshold'.*"pare lint --fail-on"/,
  ],
  [
    "dive's flag",
    ['inspect', 'x.tar', '--lowestEfficiency', '0.9'],
    /'--lowestEfficiency'.*--min-efficiency/,
  ],
  ["slim's flag", ['slim', 'x.tar', '--http-probe'], /'--http-probe'.*--probe-http/],
  [
    'a value not among the choices',
    ['lint', '--format', 'xml'],
    /--format: unknown format "xml" \(expected text, json, sarif\)$/,
  ],
  [
    'an argument not among the choices',
    ['completion', 'tcsh'],
    /unknown shell "tcsh" \(expected bash, zsh, fish\)$/,
  ],
  ['a missing value', ['fix', '--output'], /'--output <file>' argument missing/],
  ['a missing argument', ['inspect'], /missing required argument 'image'/],
  ['an excess argument', ['rules', 'a', 'b'], /too many arguments/],
  [
    'an optimize --output whose directory does not exist, refused before any build',
    ['optimize', dir, '--output', join(dir, 'missing', 'Dockerfile.pare')],
    /--output: cannot write .*missing\/Dockerfile\.pare: .*missing is not a directory$/,
  ],
];

describe('usage mistakes', () => {
  it.each(usageMistakes)('%s: one line, exit 2, no help', (_name, args, pattern) => {
    const result = runPare(args, { cwd: dir });
    expect(result.stdout).toBe('');
    const line = expectOneErrorLine(result, pattern);
    // The message names flags as typed: never an option's internal camel-case key.
    const typed = new Set(args);
    for (const flag of line.match(/--[A-Za-z][\w-]*/g) ?? []) {
      if (!typed.has(flag)) expect(flag).not.toMatch(/[A-Z]/);
    }
  });
});

describe('help', () => {
  it.each([[[] as string[]], [['--help']], [['help']]])('pare %j lists every command, exit 0', (args) => {
    const result = runPare(args);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(COMMANDS)(
    'pare help %s: usage, --no-color, and no "(default: true)" on --no-* flags',
    (command) => {
      const viaHelp = runPare(['help', command]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: pare ${command} `));
      expect(viaHelp.stdout).toContain('--no-color');
      expect(viaHelp.stdout).not.toContain('(default: true)');
      expect(runPare([command, '--help']).stdout).toBe(viaHelp.stdout);
    },
  );
});

describe('shared flags', () => {
  it('--no-color turns colour off before or after the command', () => {
    const env = { NO_COLOR: '', FORCE_COLOR: '1' };
    expect(runPare(['lint', dockerfile], { env }).stdout).toContain('\x1b[');
    expect(runPare(['lint', dockerfile, '--no-color'], { env }).stdout).not.toContain('\x1b[');
    expect(runPare(['--no-color', 'lint', dockerfile], { env }).stdout).not.toContain('\x1b[');
  });

  const notes: Array<[string, () => string[], RegExp]> = [
    ['fix', () => ['fix', dockerfile], /fix(es)? to apply/],
    [
      'slim',
      () => [
        'slim',
        image,
        '--output',
        `docker-archive:${join(dir, `slim-${Math.random()}.tar`)}`,
        '--compression',
        'zstd',
      ],
      /note: Docker 20.10's docker load cannot read zstd layers/,
    ],
  ];
  it.each(notes)('--quiet drops the notes of %s on stderr, not the result', (_name, args, note) => {
    const loud = runPare(args());
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(note);
    const quiet = runPare([...args(), '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.replace(/slim-[\d.]+\.tar/g, '')).toBe(loud.stdout.replace(/slim-[\d.]+\.tar/g, ''));
  });

  it('--verbose says which config applies', () => {
    const result = runPare(['lint', dockerfile, '--verbose', '--config', join(dir, 'pare.json')], {
      cwd: dir,
    });
    expect(result.stderr).toMatch(/pare: config: .*pare\.json/);
    expect(runPare(['lint', dockerfile, '--config', join(dir, 'pare.json')]).stderr).not.toMatch(/config:/);
  });

  it('--quiet and --verbose together are a usage mistake', () => {
    const result = runPare(['lint', dockerfile, '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot be used with/);
  });

  const reports: Array<[string, string[], string, (text: string) => void]> = [
    [
      'the format of its extension',
      [],
      'lint.sarif',
      (text) => expect(JSON.parse(text).version).toBe('2.1.0'),
    ],
    [
      'json without a known extension',
      [],
      'lint.out',
      (text) => expect(JSON.parse(text).files).toHaveLength(1),
    ],
    [
      '--format, when given',
      ['--format', 'sarif'],
      'lint.json',
      (text) => expect(JSON.parse(text).runs).toHaveLength(1),
    ],
  ];
  it.each(reports)(
    '--report FILE writes the report in %s; stdout keeps the text',
    (_name, flags, name, check) => {
      const file = join(dir, name);
      const result = runPare(['lint', dockerfile, '--report', file, ...flags]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/apt-lists-not-removed/);
      expect(result.stdout.trimStart().startsWith('{')).toBe(false);
      check(readFileSync(file, 'utf8'));
    },
  );

  it('--format alone puts the report on stdout', () => {
    const result = runPare(['rules', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).length).toBeGreaterThan(10);
  });

  it('--output is the product: fix writes the Dockerfile there, not a report', () => {
    const out = join(dir, 'Dockerfile.fixed');
    expect(runPare(['fix', dockerfile, '--output', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^FROM ubuntu:22.04/);
    expect(existsSync(join(dir, 'pare-report.html'))).toBe(false);
  });
});
