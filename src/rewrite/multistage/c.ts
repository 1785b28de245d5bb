/**
 * C/C++: the builder is the original stage with static linking asked for
 * (`-static` on the compiler line; `LDFLAGS=-static` for configure, CMake,
 * Meson or make), the final image scratch with the binary. When a static
 * link is not possible (libraries without static archives, options off),
 * the final image is the smallest glibc base, plus the shared libraries the
 * caller read from the built binary.
 */
import { posix } from 'node:path';
import type { DockerfileModel, RunInstruction, ShellCommand, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { isCompilerLink, isMakeLike } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import { outputOf, variableFor } from '../../rules/base/builds.js';
import type { TextEdit } from '../../rules/types.js';
import { type BuilderPlan, builderName } from './builder.js';
import { prefixCommand, splitCommand } from './command-edit.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { dynamicBase, libcOf, nativeFinalStage, staticBase } from './native.js';
import {
  leadingWords,
  line,
  resolvePath,
  type StartCommands,
  shellFeatures,
  startCommands,
  workdirBefore,
} from './shared.js';

/** ./configure, cmake <dir>, meson setup: where LDFLAGS is read once for the whole build. */
function isConfigure(command: ShellCommand): boolean {
  if (command.program === 'configure') return true;
  if (command.program === 'cmake')
    return !command.args.includes('--build') && !command.args.includes('--install');
  if (command.program === 'meson') return subcommand(command) === 'setup';
  return false;
}

/** Libraries that exist as static archives in libc6-dev / libstdc++-dev / musl-dev. */
const STATIC_SAFE_LIBS = /^-l(?:m|pthread|rt|dl|stdc\+\+|c|crypt|util|resolv)$/;

export const NSS_WARNING =
  'a static glibc binary cannot load NSS modules: host name and user lookups (getaddrinfo, getpwnam) fail on scratch; set staticLinking: false if the app needs them';

/** Programs that are never the app a C build produced. */
const NOT_BUILT = /^(?:sh|bash|ash|dash|python[\d.]*|node|java|ruby|perl|php|nginx|httpd|apache2)$/;

interface CFacts {
  start: StartCommands;
  finalWorkdir: string | undefined;
  compiles: Located[];
  makes: Located[];
  /** Where the binary the container runs is, in the builder and the final image alike. */
  path: string;
}

interface CBuilt {
  /** Why the build stays dynamically linked; undefined when it links statically. */
  dynamicBecause?: string;
}

function precheck({ model, stage }: ConversionInput): CFacts | Refused {
  const runs = stage.instructions.filter(isRun);
  const compiles = runs.flatMap((run) =>
    run.script.commands.filter(isCompilerLink).map((command) => ({ run, command })),
  );
  const makes = runs.flatMap((run) =>
    run.script.commands.filter(isMakeLike).map((command) => ({ run, command })),
  );
  if (compiles.length === 0 && makes.length === 0) return { error: 'no C/C++ compile or make' };

  const start = startCommands([stage]);
  if (!start.entrypoint && !start.cmd) return { error: 'no CMD or ENTRYPOINT runs the built binary' };
  const leadInstruction = (start.entrypoint ?? start.cmd)!.instruction;
  if (!leadingWords(start)) return { error: shellFeatures(leadInstruction) };
  const program = leadingWords(start)?.[0];
  const finalWorkdir = workdirBefore(model, stage, Number.POSITIVE_INFINITY);
  if (program === undefined)
    return { error: 'the CMD/ENTRYPOINT uses shell features; no exec form to write' };
  if (NOT_BUILT.test(posix.basename(program)))
    return { error: `the container runs ${program}, not a compiled binary` };

  // Where the binary is: the compiler's -o, or (make) the path the command names.
  const outputs = compiles
    .map(({ run, command }) => outputOf(model, run, command))
    .flatMap((output) => ('path' in output ? [output.path] : []));
  let path: string | undefined;
  if (program.includes('/')) path = resolvePath(finalWorkdir, program);
  else path = outputs.find((output) => posix.basename(output) === program);
  if (path === undefined) {
    return {
      error: `${program} is found through PATH or a relative path without WORKDIR; pare cannot tell where the build put it`,
    };
  }
  if (!outputs.includes(path) && makes.length === 0) {
    return { error: `the compiler writes ${outputs.join(', ') || 'a.out'}, but the container runs ${path}` };
  }
  return { start, finalWorkdir, compiles, makes, path };
}

/** Static link when the options and the build allow it; else the link stays dynamic and only strips. */
function planBuilder(
  { model, stage, options, log }: ConversionInput,
  { compiles, makes }: CFacts,
  plan: BuilderPlan,
): CBuilt {
  const wantStatic = options.staticLinking ?? true;
  const staticPlan = wantStatic
    ? staticEdits(model, stage, compiles, makes)
    : { error: 'staticLinking: false' };
  if ('error' in staticPlan) {
    const libc = libcOf(stage.base) === 'musl' ? 'musl' : 'glibc';
    log.note(`dynamic link kept (${staticPlan.error}): the final base has the ${libc} the binary needs`);
    const strip = stripEdits(model, compiles);
    for (const [index, edits] of strip) plan.edit(index, ...edits);
    if (strip.size > 0) log.note('linked with -s: no symbol table in the shipped binary');
    return { dynamicBecause: staticPlan.error };
  }
  for (const [index, edits] of staticPlan.edits) plan.edit(index, ...edits);
  log.absorb(staticPlan);
  if (libcOf(stage.base) !== 'musl') log.warn(NSS_WARNING);
  return {};
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { start, finalWorkdir, path }: CFacts,
  { dynamicBecause }: CBuilt,
): FinalStage | Refused {
  const builderImage = stage.base;
  let choice: ReturnType<typeof staticBase> | ReturnType<typeof dynamicBase>;
  if (dynamicBecause !== undefined) {
    choice = dynamicBase(builderImage, libcOf(builderImage) === 'musl' ? 'musl' : 'glibc', options);
    if ('error' in choice) return { error: `${choice.error} (static link not possible: ${dynamicBecause})` };
  } else {
    choice = staticBase(builderImage, options);
    if ('error' in choice) return choice;
  }
  log.absorb(choice);

  const final = nativeFinalStage({
    model,
    stages: [stage],
    start,
    builder: builderName(stage),
    builderPath: path,
    finalPath: path,
    isArtifact: (word) =>
      word.includes('/') ? resolvePath(finalWorkdir, word) === path : word === posix.basename(path),
    base: choice.base,
    options,
    caCertificates: options.caCertificates ?? false,
  });
  if ('error' in final) return final;
  log.lead(`multi-stage: ${builderImage.raw} compiles, ${choice.base.image} runs only ${path}`);
  log.absorb(final);
  return { stage: final.stage, base: choice.base.image, artifact: final.artifact };
}

export const cConverter: ConverterHooks<CFacts, CBuilt> = { precheck, planBuilder, chooseFinal };

/** The link already strips (-s) or keeps debug information on purpose (-g). */
function strips(command: ShellCommand): boolean {
  return command.args.some(
    (arg) =>
      arg === '-s' || /^-g(?:gdb|dwarf|\d)?/.test(arg) || arg === '-Wl,-s' || arg === '-Wl,--strip-all',
  );
}

/** ` -s` for compiler links of a dynamic build that keep their symbol table. */
function stripEdits(model: DockerfileModel, compiles: readonly Located[]): Map<number, TextEdit[]> {
  const edits = new Map<number, TextEdit[]>();
  for (const { run, command } of compiles) {
    if (strips(command)) continue;
    const words = splitCommand(model, run, command);
    if (!words) continue;
    edits.set(run.index, [
      ...(edits.get(run.index) ?? []),
      { start: words.name.end, end: words.name.end, newText: ' -s' },
    ]);
  }
  return edits;
}

interface StaticPlan {
  edits: Map<number, TextEdit[]>;
  notes: string[];
  warnings: string[];
}

type Located = { run: RunInstruction; command: ShellCommand };

/**
 * Edits that make the build link statically, or why it cannot: every
 * compiler link gets -static (when its -l libraries have static archives);
 * a build system gets LDFLAGS=-static where it reads LDFLAGS.
 */
export function staticEdits(
  model: DockerfileModel,
  stage: Stage,
  compiles: readonly Located[],
  makes: readonly Located[],
): StaticPlan | { error: string } {
  const edits = new Map<number, TextEdit[]>();
  const notes: string[] = [];
  const warnings: string[] = [];
  const add = (run: RunInstruction, edit: TextEdit) =>
    edits.set(run.index, [...(edits.get(run.index) ?? []), edit]);

  for (const { run, command } of compiles) {
    const isStatic = command.args.some(
      (arg) => arg === '-static' || arg === '--static' || arg === '-static-pie',
    );
    const libs = command.args.filter((arg) => arg.startsWith('-l') && !STATIC_SAFE_LIBS.test(arg));
    if (!isStatic && libs.length > 0)
      return { error: `${command.program} on line ${line(run)} links ${libs.join(' ')}` };
    if (!isStatic && command.args.some((arg) => arg.includes('$') || arg.startsWith('`')))
      return { error: `${command.program} on line ${line(run)} uses variables` };
    const flags = [...(isStatic ? [] : ['-static']), ...(strips(command) ? [] : ['-s'])];
    if (flags.length === 0) continue;
    const words = splitCommand(model, run, command);
    if (!words) {
      if (isStatic) continue;
      return { error: `${command.program} on line ${line(run)} cannot be edited` };
    }
    add(run, { start: words.name.end, end: words.name.end, newText: ` ${flags.join(' ')}` });
  }
  if (compiles.length > 0) {
    notes.push('linked with -static (the binary needs no libc in the final image) and -s (no symbol table)');
  }

  if (makes.length > 0) {
    const runs = stage.instructions.filter(isRun);
    const configures = runs.flatMap((run) =>
      run.script.commands.filter(isConfigure).map((command) => ({ run, command })),
    );
    // Without a configure step, every make that links gets LDFLAGS; `make install` after a make only copies.
    const builds = makes.filter(({ command }) => command.program !== 'ninja');
    const linking = builds.filter(({ command }, i) => i === 0 || subcommand(command) !== 'install');
    const targets = configures.length > 0 ? configures : linking;
    if (targets.length === 0) return { error: 'ninja without a configure step reads no LDFLAGS' };
    for (const { run, command } of targets) {
      if (variableFor(model, run, command, 'LDFLAGS')?.includes('-static')) continue;
      if ('LDFLAGS' in command.assignments) return { error: `LDFLAGS is set on line ${line(run)}` };
      const words = splitCommand(model, run, command);
      if (!words) return { error: `${command.program} on line ${line(run)} cannot be edited` };
      add(run, prefixCommand(command, "LDFLAGS='-static -s'"));
    }
    notes.push(
      `LDFLAGS='-static -s' for ${[...new Set(targets.map(({ command }) => command.program))].join(', ')}: the build links statically and strips the symbol table`,
    );
    warnings.push(
      'static linking through LDFLAGS needs a build that passes $(LDFLAGS) to the link and static archives of its libraries; pare optimize reads the built binary to check',
    );
  }
  return { edits, notes, warnings };
}
