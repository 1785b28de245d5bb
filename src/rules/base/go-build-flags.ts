import type { DockerfileModel, ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES, citeArticle } from '../../knowledge/articles.js';
import { goFlag, isGoBuild } from '../../knowledge/build-commands.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import {
  type ArtifactBuild,
  artifactBuilds,
  cgoDisabled,
  commandSource,
  commandsAfter,
  variableFor,
} from './builds.js';

/**
 * `-ldflags '-s -w'` drops the symbol table and DWARF debug info from a Go
 * binary (about a quarter of its size); `-trimpath` drops the builder's file
 * paths, making the binary reproducible. 《精简 Docker 镜像》 builds with
 * `-ldflags '-w -extldflags "-static"'`.
 */
export const goBuildFlags: Rule = {
  meta: {
    id: 'go-build-flags',
    title: "Go binary built without -ldflags '-s -w' (debug info) or -trimpath",
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const build of artifactBuilds(model, isGoBuild)) {
      const finding = checkBuild(model, build);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};

/** 28% of the 6.4 MB example binary of 《容器化：如何将镜像体积缩减 90%？》. */
const SAVING = Math.round(0.28 * 6.4e6);
const SAVING_BASIS = `estimated: -s -w removes the symbol table and DWARF info, typically 25–30% of a Go binary; 28% of the 6.4 MB example binary in ${citeArticle(ARTICLES.cutBy90, { short: true })}`;

function checkBuild(model: DockerfileModel, build: ArtifactBuild): RuleFinding | undefined {
  const { run, command } = build;
  const goflags = variableFor(model, run, command, 'GOFLAGS') ?? '';
  // `-ldflags=all=-s -w`: a package pattern may prefix the value.
  const ldflags = goFlag(command.args, 'ldflags')?.replace(/^[\w./-]+=(?=-)/, '');
  const flagsFromEnv = /(?:^|\s)-?-ldflags=/.test(goflags);
  const tokens = [...(ldflags ?? '').split(/\s+/), ...goflagsLdflags(goflags)];
  const stripsSymbols = tokens.some((token) => token === '-s' || token === '-s=true');
  const stripsDwarf = stripsSymbols || tokens.some((token) => token === '-w' || token === '-w=true');
  const trimpath = command.args.includes('-trimpath') || /(?:^|\s)-trimpath(?:\s|$|=true)/.test(goflags);
  const strippedLater = strippedAfter(model, build);
  const needsStrip = !stripsSymbols && !strippedLater;
  if (!needsStrip && trimpath) return undefined;

  const sub = command.args.find((arg) => !arg.startsWith('-')) ?? 'build';
  const missing: string[] = [];
  if (needsStrip) missing.push(stripsDwarf ? "-s (in -ldflags '-s -w')" : "-ldflags '-s -w'");
  if (!trimpath) missing.push('-trimpath');

  const edits: string[] = [];
  // With cgo on, -trimpath makes Go (before 1.20) rebuild runtime/cgo, which needs a C
  // compiler the image may not have (seen with Debian's Go 1.19): only add it when cgo is off.
  if (!trimpath && cgoDisabled(model, run, command) === true) edits.push('-trimpath');
  if (needsStrip && ldflags === undefined && !flagsFromEnv) edits.push("-ldflags='-s -w'");
  const fix =
    edits.length > 0 ? insertAfterSubcommand(model, command, sub, ` ${edits.join(' ')}`) : undefined;

  const finding: RuleFinding = {
    message: needsStrip
      ? `go ${sub} without ${missing.join(' or ')}: the binary keeps its ${stripsDwarf ? 'symbol table' : 'symbol table and DWARF debug info'} (typically 25–30% of its size)`
      : `go ${sub} without -trimpath: the binary embeds the builder's file paths; -trimpath makes it reproducible`,
    range: command.range,
    ...(needsStrip ? {} : { severity: 'info' as const }),
    ...(fix ? { fix } : {}),
    ...(!trimpath && !edits.includes('-trimpath')
      ? {
          hint: 'add -trimpath too once CGO_ENABLED=0 is set (with cgo on it needs a C compiler in the builder)',
        }
      : {}),
  };
  if (needsStrip && !stripsDwarf) finding.saving = { bytes: SAVING, basis: SAVING_BASIS };
  if (needsStrip && ldflags !== undefined) {
    const rest = ldflags.split(/\s+/).filter((token) => token && token !== '-s' && token !== '-w');
    finding.hint = `put -s -w into the existing value: -ldflags '${['-s', '-w', ...rest].join(' ')}'`;
  }
  return finding;
}

/** `GOFLAGS=-ldflags=-s -ldflags=-w` style settings. */
function goflagsLdflags(goflags: string): string[] {
  const result: string[] = [];
  for (const part of goflags.split(/\s+/)) {
    const match = /^-?-ldflags=(.*)$/.exec(part);
    if (match) result.push(...match[1]!.replace(/^['"]|['"]$/g, '').split(/\s+/));
  }
  return result;
}

const STRIPPERS = new Set(['strip', 'llvm-strip', 'upx', 'sstrip']);

/** A `strip`/`upx` later in the build's stage chain or in the final image. */
function strippedAfter(model: DockerfileModel, build: ArtifactBuild): boolean {
  return commandsAfter(model, build).some((command) => STRIPPERS.has(command.program));
}

/** Insert text right after the `build`/`install` word of a go command (not inside `sh -c` strings). */
function insertAfterSubcommand(
  model: DockerfileModel,
  command: ShellCommand,
  sub: string,
  text: string,
): TextEdit[] | undefined {
  if (command.nested) return undefined;
  const source = commandSource(model, command);
  const goWord = /(?:^|[\s;&|(])go\s/.exec(source);
  if (!goWord) return undefined;
  const after = goWord.index + goWord[0].length;
  const subWord = new RegExp(`(?:^|\\s)${sub}(?=\\s|$)`).exec(source.slice(after));
  if (!subWord) return undefined;
  // Nothing but whitespace or line continuations between `go` and the subcommand.
  if (!/^(?:\s|\\\n|`\n)*$/.test(source.slice(after, after + subWord.index))) return undefined;
  const at = command.range.start.offset + after + subWord.index + subWord[0].length;
  return [{ start: at, end: at, newText: text }];
}
