/**
 * Rust: the builder is the original stage with `cargo build --release`, linked
 * statically (`RUSTFLAGS='-C target-feature=+crt-static'` for the host's gnu
 * target, given explicitly so build scripts and proc-macros stay dynamic);
 * the final image is scratch with target/…/release/<name>. Without a static
 * link the final image is the smallest glibc base.
 */
import { posix } from 'node:path';
import type {
  DockerfileModel,
  ImageRef,
  RunInstruction,
  ShellCommand,
  Stage,
} from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { isCargoBuild } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import { commandsAfter, variableFor, workdirAt } from '../../rules/base/builds.js';
import { type BuilderPlan, builderName } from './builder.js';
import { NSS_WARNING } from './c.js';
import { type CommandWords, replaceCommand, splitCommand } from './command-edit.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { usesFile } from './go.js';
import { dynamicBase, libcOf, nativeFinalStage, staticBase } from './native.js';
import {
  contextRelative,
  leadingWords,
  releaseOf,
  resolvePath,
  type StartCommands,
  shellFeatures,
  startCommands,
  workdirBefore,
} from './shared.js';
import type { ConversionContext } from './types.js';

const HOST_TARGET = `"$(rustc -vV | sed -n 's/^host: //p')"`;
const CRT_STATIC = '-C target-feature=+crt-static';
const STRIP = '-C strip=symbols';

/** `-C strip` exists since Rust 1.59: known from the tag (rust:1.78) or the distribution (Debian 12 ships 1.63). */
function stripSupported(image: ImageRef): boolean {
  const minor = /^1\.(\d+)/.exec(image.tag ?? '')?.[1];
  if (minor !== undefined) return Number(minor) >= 59;
  const release = releaseOf(image.resolved);
  const debian = /^debian-(\d+)$/.exec(release ?? '')?.[1];
  const ubuntu = /^ubuntu-(\d+)\./.exec(release ?? '')?.[1];
  return (debian !== undefined && Number(debian) >= 12) || (ubuntu !== undefined && Number(ubuntu) >= 22);
}

/** `[package] name` and `[[bin]] name`s of a Cargo.toml (a line-based read, enough for names). */
function cargoNames(text: string): { package?: string; bins: string[] } {
  let section = '';
  let pkg: string | undefined;
  const bins: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const lineText = raw.replace(/#.*$/, '').trim();
    const header = /^\[\[?\s*([\w.-]+)\s*\]\]?$/.exec(lineText);
    if (header) {
      section = lineText.startsWith('[[') ? `[[${header[1]}]]` : header[1]!;
      continue;
    }
    const name = /^name\s*=\s*["']([^"']+)["']/.exec(lineText)?.[1];
    if (!name) continue;
    if (section === 'package') pkg = name;
    else if (section === '[[bin]]') bins.push(name);
  }
  return { ...(pkg ? { package: pkg } : {}), bins };
}

function flagValue(words: CommandWords, ...names: string[]): string | undefined {
  const args = words.args.map((token) => token.value);
  for (let i = 0; i < args.length; i++) {
    for (const name of names) {
      if (args[i] === name) return args[i + 1];
      if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
    }
  }
  return undefined;
}

function binaryName(
  words: CommandWords,
  context: ConversionContext | undefined,
  contextDir: string | undefined,
  program: string | undefined,
): string | undefined {
  const bin = flagValue(words, '--bin');
  if (bin) return bin;
  const manifest =
    contextDir !== undefined
      ? context?.read?.(contextDir === '' ? 'Cargo.toml' : `${contextDir}/Cargo.toml`)
      : undefined;
  const wanted = program ? posix.basename(program) : undefined;
  if (manifest) {
    const names = cargoNames(manifest);
    if (wanted && names.bins.includes(wanted)) return wanted;
    if (names.bins.length === 1) return names.bins[0];
    if (names.package) return names.package;
  }
  return wanted;
}

/** Whether commands after the build use its output where cargo put it (cp target/release/app …). */
function laterUse(
  model: DockerfileModel,
  stage: Stage,
  run: RunInstruction,
  build: ShellCommand,
  name: string,
): boolean {
  return commandsAfter(model, { stage, run, command: build }).some(
    (later) =>
      [later.name, ...later.args].some((word) => /(?:^|\/)target\//.test(word)) ||
      usesFile(later, name, undefined),
  );
}

interface RustFacts {
  start: StartCommands;
  run: RunInstruction;
  command: ShellCommand;
  words: CommandWords;
  /** The program CMD/ENTRYPOINT runs, as written. */
  program: string;
  name: string;
  /** Where cargo builds. */
  cwd: string;
  finalWorkdir: string | undefined;
}

interface RustBuilt {
  builderPath: string;
  finalPath: string;
  staticLink: boolean;
  muslTarget: boolean;
}

function precheck({ model, stage, options }: ConversionInput): RustFacts | Refused {
  const builds = stage.instructions
    .filter(isRun)
    .flatMap((run) => run.script.commands.filter(isCargoBuild).map((command) => ({ run, command })));
  const build = builds.filter(({ command }) => ['build', 'b'].includes(subcommand(command) ?? '')).pop();
  if (!build)
    return { error: '`cargo install` puts the binary in CARGO_HOME/bin; pare follows `cargo build` only' };
  const { run, command } = build;
  const words = splitCommand(model, run, command);
  if (!words)
    return {
      error:
        'the cargo build command cannot be edited (exec-form RUN, inside sh -c, conditional or redirected)',
    };
  if (
    flagValue(words, '--target-dir', '--manifest-path') !== undefined ||
    variableFor(model, run, command, 'CARGO_TARGET_DIR') ||
    variableFor(model, run, command, 'CARGO_BUILD_TARGET_DIR')
  ) {
    return {
      error:
        'the cargo target directory is moved (--target-dir, --manifest-path or CARGO_TARGET_DIR); not followed',
    };
  }
  const profile = flagValue(words, '--profile');
  if (profile !== undefined && profile !== 'release')
    return { error: `cargo build --profile ${profile}; not followed` };

  const start = startCommands([stage]);
  if (!start.entrypoint && !start.cmd) return { error: 'no CMD or ENTRYPOINT runs the built binary' };
  const leadInstruction = (start.entrypoint ?? start.cmd)!.instruction;
  if (!leadingWords(start)) return { error: shellFeatures(leadInstruction) };
  const program = leadingWords(start)?.[0];
  const cwd = workdirAt(model, run, command);
  const finalWorkdir = workdirBefore(model, stage, Number.POSITIVE_INFINITY);
  const name = binaryName(words, options.context, contextRelative(model, stage, cwd), program);
  if (!name) return { error: 'the binary name is not known (no Cargo.toml in the context and no CMD)' };
  if (!program || posix.basename(program) !== name) {
    return {
      error: `${(start.entrypoint ?? start.cmd)?.instruction.keyword ?? 'CMD'} does not run the ${name} binary cargo builds`,
    };
  }
  if (cwd === undefined) return { error: 'the directory cargo builds in is not known (no WORKDIR)' };
  return { start, run, command, words, program, name, cwd, finalWorkdir };
}

function planBuilder(
  { model, stage, options, log }: ConversionInput,
  { run, command, words, program, name, cwd, finalWorkdir }: RustFacts,
  plan: BuilderPlan,
): RustBuilt | Refused {
  const builderImage = stage.base;
  const builderLibc = libcOf(builderImage) === 'musl' ? 'musl' : 'glibc';
  const target = flagValue(words, '--target') ?? variableFor(model, run, command, 'CARGO_BUILD_TARGET');
  const muslTarget = target !== undefined ? target.includes('musl') : builderLibc === 'musl';
  const rustflags = variableFor(model, run, command, 'RUSTFLAGS');
  const alreadyStatic = muslTarget || (rustflags?.includes('crt-static') ?? false);
  const wantStatic = options.staticLinking ?? true;

  if (laterUse(model, stage, run, command, name)) {
    // Later commands read the output where cargo put it: leave the build alone and take what CMD runs.
    const path = program.includes('/') ? resolvePath(finalWorkdir, program) : undefined;
    if (!path) return { error: `${program} is moved by later commands to a place pare cannot tell` };
    log.note('cargo build left as written: later commands use its output');
    return { builderPath: path, finalPath: path, staticLink: alreadyStatic, muslTarget };
  }
  const targetDir = `${cwd === '/' ? '' : cwd}/target`;
  const release = words.args.some((token) => token.value === '--release' || token.value === '-r');
  const addStatic = wantStatic && !alreadyStatic;
  const strip = stripSupported(builderImage) && !(rustflags ?? '').includes('strip=');
  const flags = [...(addStatic ? [CRT_STATIC] : []), ...(strip ? [STRIP] : [])];
  const prefix: string[] = [];
  if (flags.length > 0) {
    prefix.push(rustflags ? `RUSTFLAGS="$RUSTFLAGS ${flags.join(' ')}"` : `RUSTFLAGS='${flags.join(' ')}'`);
  }
  for (const token of words.assignments)
    if (!(flags.length > 0 && token.value.startsWith('RUSTFLAGS='))) prefix.push(token.text);
  const args = words.args.map((token) => token.text);
  const subIndex = words.args.findIndex((token) => !token.value.startsWith('-'));
  const added = [
    ...(release ? [] : ['--release']),
    ...(addStatic && target === undefined ? ['--target', HOST_TARGET] : []),
  ];
  args.splice(subIndex + 1, 0, ...added);
  plan.edit(run.index, replaceCommand(command, [...prefix, words.name.text, ...args].join(' ')));
  log.note(
    `cargo build --release${addStatic ? ` with ${CRT_STATIC} for the host target (given explicitly so build scripts and proc-macros still link dynamically)` : ''}${strip ? `${addStatic ? ' and' : ' with'} ${STRIP} (no symbol table)` : ''}`,
  );
  return {
    builderPath:
      target !== undefined
        ? `${targetDir}/${target}/release/${name}`
        : addStatic
          ? `${targetDir}/*/release/${name}`
          : `${targetDir}/release/${name}`,
    finalPath: `/usr/local/bin/${name}`,
    staticLink: addStatic || alreadyStatic,
    muslTarget,
  };
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { start, name }: RustFacts,
  { builderPath, finalPath, staticLink, muslTarget }: RustBuilt,
): FinalStage | Refused {
  const builderImage = stage.base;
  let choice: ReturnType<typeof staticBase> | ReturnType<typeof dynamicBase>;
  if (staticLink) {
    choice = staticBase(builderImage, options);
    if ('error' in choice) return choice;
    if (!muslTarget) log.warn(NSS_WARNING);
  } else {
    const builderLibc = libcOf(builderImage) === 'musl' ? 'musl' : 'glibc';
    choice = dynamicBase(builderImage, builderLibc, options);
    if ('error' in choice) return choice;
    log.note(`dynamic link kept: ${choice.base.image} has the ${builderLibc} and libgcc the binary needs`);
  }
  log.absorb(choice);

  const final = nativeFinalStage({
    model,
    stages: [stage],
    start,
    builder: builderName(stage),
    builderPath,
    finalPath,
    isArtifact: (word) => posix.basename(word) === name,
    base: choice.base,
    options,
    caCertificates: options.caCertificates ?? false,
    dropEnv: (key) => /^(?:CARGO_\w+|RUSTUP_\w+|RUSTFLAGS|RUST_VERSION)$/.test(key),
  });
  if ('error' in final) return final;
  log.lead(`multi-stage: ${builderImage.raw} builds, ${choice.base.image} runs only ${name}`);
  log.absorb(final);
  return { stage: final.stage, base: choice.base.image, artifact: final.artifact };
}

export const rustConverter: ConverterHooks<RustFacts, RustBuilt> = { precheck, planBuilder, chooseFinal };
