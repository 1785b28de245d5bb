import type { DockerfileModel, ShellCommand } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { goFlag, isCargoBuild, isCompilerLink } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import { type ArtifactBuild, artifactBuilds, commandSource, commandsAfter, variableFor } from './builds.js';

/**
 * The binary that ships carries debug information: `gcc -g`, a CMake Debug
 * build, or `cargo build` without `--release` (the unoptimised debug profile,
 * several times bigger and slower), and nothing strips it afterwards.
 * 《精简 Docker 镜像》 and 《容器化：如何将镜像体积缩减 90%？》 ship only the binary;
 * this keeps that binary lean too.
 */
export const unstrippedBinary: Rule = {
  meta: {
    id: 'unstripped-binary',
    title: 'Shipped binary is built with debug info or not stripped',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.cutBy90],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const build of artifactBuilds(model, isCompilerLink)) {
      if (strippedAfter(model, build) || linkerStrips(build.command)) continue;
      const debug = debugFlag(build.command);
      findings.push(
        debug
          ? {
              message: `${build.command.program} ${debug} builds the shipped binary with debug info (often larger than the code itself) and nothing strips it; drop ${debug} or add -s / run strip`,
              range: build.command.range,
              hint: `strip the binary in the builder: RUN strip /path/to/binary`,
            }
          : {
              severity: 'info',
              message: `${build.command.program} links the shipped binary without -s and nothing strips it: its symbol table stays in the image`,
              range: build.command.range,
              hint: 'add -s to the link, or RUN strip /path/to/binary in the builder',
            },
      );
    }
    for (const build of artifactBuilds(model, isCMakeDebug)) {
      if (strippedAfter(model, build)) continue;
      const type = build.command.args.find((arg) => /^-DCMAKE_BUILD_TYPE=/i.test(arg))!.split('=')[1];
      findings.push({
        message: `CMake ${type} build: the shipped binaries keep their debug info and nothing strips them; use -DCMAKE_BUILD_TYPE=Release or MinSizeRel`,
        range: build.command.range,
        hint: 'or install with cmake --install build --strip',
      });
    }
    const cargo = artifactBuilds(model, isCargoDebugBuild);
    const pathEdits = debugPathEdits(model);
    cargo.forEach((build, index) => {
      const insert =
        pathEdits && !hasProfile(build.command) ? insertRelease(model, build.command) : undefined;
      // The path edits go with the last build (the artifact's); each finding's edits must not overlap.
      const fix = insert && (index === cargo.length - 1 ? [...insert, ...pathEdits!] : insert);
      const sub = subcommand(build.command);
      findings.push({
        message: `cargo ${sub} without --release ships the debug profile: unoptimised, with debug info, typically several times bigger and slower`,
        range: build.command.range,
        ...(fix ? { fix } : {}),
        hint: fix
          ? 'pare fix adds --release and changes target/debug paths to target/release'
          : 'add --release and copy target/release/<bin> instead of target/debug/<bin>',
      });
    });
    return findings;
  },
};

/** `-g`, `-g3`, `-ggdb` (not `-g0`). */
function debugFlag(command: ShellCommand): string | undefined {
  return command.args.find((arg) => /^-g(?:gdb|dwarf(?:-\d)?|[123])?$/.test(arg));
}

function linkerStrips(command: ShellCommand): boolean {
  return command.args.some(
    (arg) => arg === '-s' || /^-Wl,(?:.*,)?(?:-s|--strip-all|-S|--strip-debug)(?:,|$)/.test(arg),
  );
}

function isCMakeDebug(command: ShellCommand): boolean {
  return (
    command.program === 'cmake' &&
    command.args.some((arg) => /^-DCMAKE_BUILD_TYPE=(?:Debug|RelWithDebInfo)$/i.test(arg))
  );
}

function isCargoDebugBuild(command: ShellCommand): boolean {
  if (!isCargoBuild(command)) return false;
  const sub = subcommand(command);
  if (sub === 'install') return command.args.includes('--debug');
  if (command.args.some((arg) => arg === '--release' || arg === '-r')) return false;
  const profile = goFlag(command.args, 'profile');
  if (profile !== undefined) return profile === 'dev' || profile === 'test';
  return true;
}

function hasProfile(command: ShellCommand): boolean {
  return goFlag(command.args, 'profile') !== undefined;
}

const STRIPPERS = new Set(['strip', 'llvm-strip', 'upx', 'sstrip', 'objcopy']);

/** `strip`, `upx`, `install -s` or `cmake --install --strip` after the build, in its stage chain or the final image. */
function strippedAfter(model: DockerfileModel, build: ArtifactBuild): boolean {
  return commandsAfter(model, build).some(
    (command) =>
      STRIPPERS.has(command.program) ||
      (command.program === 'install' && command.args.some((arg) => arg === '-s' || arg === '--strip')) ||
      (command.program === 'cmake' && command.args.includes('--strip')) ||
      ((command.program === 'make' || command.program === 'gmake') && command.args.includes('install-strip')),
  );
}

const DEBUG_PATH = /target\/(?:[\w.-]+\/)?debug(?=\/|\b)/g;
const PATH_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'CMD', 'ENTRYPOINT']);

/**
 * Edits turning every `target/debug` (or `target/<triple>/debug`) into
 * `target/release`; undefined when a reference is somewhere pare should not
 * rewrite (ENV, ARG, LABEL…), when a custom target dir is used, or when
 * nothing references the debug path (the artifact's path is then unknown).
 */
function debugPathEdits(model: DockerfileModel): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  for (const instruction of model.instructions) {
    if (isRun(instruction)) {
      for (const command of instruction.script.commands) {
        if (command.program === 'cargo' && goFlag(command.args, 'target-dir') !== undefined) return undefined;
        if (command.program === 'cargo' && variableFor(model, instruction, command, 'CARGO_TARGET_DIR'))
          return undefined;
      }
    }
  }
  for (const match of model.text.matchAll(DEBUG_PATH)) {
    const offset = match.index;
    const instruction = model.instructions.find(
      (item) => item.range.start.offset <= offset && offset < item.range.end.offset,
    );
    if (!instruction) continue; // a comment between instructions
    if (!PATH_KEYWORDS.has(instruction.keyword)) return undefined;
    const start = offset + match[0].length - 'debug'.length;
    edits.push({ start, end: start + 'debug'.length, newText: 'release' });
  }
  return edits.length > 0 ? edits : undefined;
}

function insertRelease(model: DockerfileModel, command: ShellCommand): TextEdit[] | undefined {
  if (command.nested) return undefined;
  const source = commandSource(model, command);
  const sub = subcommand(command)!;
  const match = new RegExp(
    `^(?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*\\S*cargo\\s+(?:\\+\\S+\\s+)?${sub.replace(/[+]/g, '\\+')}(?=\\s|$)`,
  ).exec(source);
  if (!match) return undefined;
  const at = command.range.start.offset + match[0].length;
  return [{ start: at, end: at, newText: ' --release' }];
}
