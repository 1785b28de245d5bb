/**
 * Already multi-stage, but the final stage sits on a toolchain or full
 * image (《容器化：如何将镜像体积缩减 90%？》's Dockerfile-4: the Go binary copied onto
 * ubuntu:latest).
 * Only the final stage's base changes, by text edits that keep the rest of
 * the file as written; what the new base needs comes with it: CGO_ENABLED=0
 * or -static in the builder for scratch, exec-form commands, the CA bundle,
 * a numeric USER.
 */
import { posix } from 'node:path';
import { classifyImage } from '../../catalog/base-images.js';
import { rootImage, shippedStages } from '../../dockerfile/stages.js';
import type { DockerfileModel, Instruction, RunInstruction, Stage } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { isCargoBuild, isGoBuild } from '../../knowledge/build-commands.js';
import { nativeBinaryBuildOf, runtimeEcosystemOf } from '../../knowledge/build-ecosystems.js';
import { packageChange } from '../../knowledge/file-commands.js';
import { type ArtifactBuild, artifactBuilds, cgoDisabled, variableFor } from '../../rules/base/builds.js';
import type { TextEdit } from '../../rules/types.js';
import { applyEdits } from '../apply-edits.js';
import {
  type BaseCandidate,
  candidatePool,
  choose,
  isHeavyBase,
  isRuntimeKind,
  javaVersionOf,
  nodeVersionOf,
  pythonVersionOf,
  repositoryOf,
  versionsFit,
} from './bases.js';
import { staticEdits } from './c.js';
import { prefixCommand, splitCommand } from './command-edit.js';
import { copyLine, execLine } from './emit.js';
import { ConversionLog, type Said } from './log.js';
import { CA_BUNDLE, DEFAULT_USER, dynamicBase, libcOf, releaseFits, staticBase } from './native.js';
import { leadingWords, line, releaseOf, startCommands } from './shared.js';
import type { ConversionOptions, ConversionOutcome, ConvertibleEcosystem } from './types.js';

export function replaceFinalBase(model: DockerfileModel, options: ConversionOptions): ConversionOutcome {
  const fail = (reason: string, ecosystem?: ConvertibleEcosystem): ConversionOutcome => ({
    converted: false,
    reason,
    ...(ecosystem ? { ecosystem } : {}),
  });
  const chain = shippedStages(model);
  const final = model.finalStage;
  const image = rootImage(model, final);
  if (chain.length > 1) return fail('the final stage is built FROM another stage; its base is not replaced');
  if (image.isScratch) return fail('already multi-stage onto scratch');
  if (image.unresolved) return fail(`the final base ${image.raw} holds an unresolved variable`);
  // What the final image runs decides the new base.
  const native = artifactBuilds(model, (command) => nativeBinaryBuildOf(command) !== undefined).filter(
    (build) => !build.inFinalImage,
  );
  const match = classifyImage(image);
  // A binary copied from a builder needs no distribution under it, however slim: scratch is smaller still.
  const nativeOnDistro = native.length > 0 && match?.entry.kind !== 'distroless';
  if (!match && !nativeOnDistro) return fail(`the final base ${image.resolved} is not in the catalogue`);
  if (!nativeOnDistro && !isHeavyBase(image))
    return fail(`already multi-stage; the final base ${image.resolved} is already small`);
  if (
    chain.some((stage) =>
      stage.instructions
        .filter(isRun)
        .some((run) => run.script.commands.some((command) => nativeBinaryBuildOf(command) !== undefined)),
    )
  ) {
    return fail('the final stage itself builds; not converted');
  }
  const start = startCommands([final]);
  const program = posix.basename(leadingWords(start)?.[0] ?? '');
  if (native.length > 0) return nativeFinal(model, final, native, options, !isHeavyBase(image));
  if (!match) return fail(`the final base ${image.resolved} is not in the catalogue`);
  const ecosystem = runtimeEcosystemOf(program, match.entry.ecosystem);
  if (!ecosystem) return fail(`no build copied into ${image.resolved} that pare can follow`);
  return runtimeFinal(model, final, ecosystem, program, options);
}

/** The offset after the end of the line `offset` is on (its newline included), or the text's end. */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Programs a RUN may hold besides installing the CA bundle: the package manager's upkeep and the shell's own. */
const CERTIFICATE_UPKEEP = new Set([
  'apt-get',
  'apt',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'update-ca-certificates',
  'set',
]);

/**
 * A RUN that only installs ca-certificates (and updates, cleans, removes package lists): the
 * common final stage of a Go service on a slim distribution. Anything else it runs keeps the base.
 */
function installsOnlyCertificates(run: RunInstruction): boolean {
  return run.script.commands.every((command) => {
    const change = packageChange(command);
    if (change)
      return change.action === 'install' && change.names.every((name) => name === 'ca-certificates');
    if (command.program === 'rm')
      return command.args.every(
        (arg) => arg.startsWith('-') || /^\/var\/(?:lib\/apt\/lists|cache)\//.test(arg),
      );
    if (command.program === 'apt-get' || command.program === 'apt')
      return ['update', 'clean', 'autoclean'].includes(
        command.args.find((arg) => !arg.startsWith('-')) ?? '',
      );
    return (
      CERTIFICATE_UPKEEP.has(command.program) && command.program !== 'apt-get' && command.program !== 'apt'
    );
  });
}

function runsCommands(stage: Stage): boolean {
  return stage.instructions.some((instruction) => isRun(instruction));
}

/** Go, Rust or C binaries copied from builder stages. */
function nativeFinal(
  model: DockerfileModel,
  final: Stage,
  builds: readonly ArtifactBuild[],
  options: ConversionOptions,
  /** The final base is already small: only a static binary on scratch is worth a change. */
  onlyIfStatic: boolean,
): ConversionOutcome {
  const edits: TextEdit[] = [];
  const ecosystem = nativeBinaryBuildOf(builds[0]!.command)!.ecosystem;
  const log = new ConversionLog(ecosystem);
  const fail = log.refuse;
  // The one thing a binary's final stage commonly installs is the CA bundle: it comes from the builder instead.
  const runs = final.instructions.filter(isRun);
  const certificateRuns = runs.filter(installsOnlyCertificates);
  if (certificateRuns.length < runs.length)
    return fail('the final stage runs commands besides installing ca-certificates; its base is kept');

  // Can every binary be static?
  let allStatic = true;
  for (const build of builds) {
    const { run, command } = build;
    if (isGoBuild(command)) {
      const cgo = cgoDisabled(model, run, command);
      if (cgo === false) allStatic = false;
      else if (cgo === undefined) {
        const words = splitCommand(model, run, command);
        if (!words) return fail(`the go build on line ${line(run)} cannot be edited to set CGO_ENABLED=0`);
        edits.push(prefixCommand(command, 'CGO_ENABLED=0'));
        log.note(`CGO_ENABLED=0 for the go build on line ${line(run)}: a static binary runs on scratch`);
      }
    } else if (isCargoBuild(command)) {
      const target = command.args.find(
        (arg, i) => command.args[i - 1] === '--target' || arg.startsWith('--target='),
      );
      const builderLibc = libcOf(rootImage(model, build.stage));
      const rustflags = variableFor(model, run, command, 'RUSTFLAGS') ?? '';
      if (
        !(
          target?.includes('musl') ||
          (target === undefined && builderLibc === 'musl') ||
          rustflags.includes('crt-static')
        )
      )
        allStatic = false;
    } else if (options.staticLinking === false) {
      allStatic = false;
    } else {
      const plan = staticEdits(model, build.stage, [{ run, command }], []);
      if ('error' in plan) allStatic = false;
      else {
        for (const list of plan.edits.values()) edits.push(...list);
        log.note(...plan.notes);
      }
    }
  }

  const builderImage = rootImage(model, builds[0]!.stage);
  let base: BaseCandidate;
  if (allStatic) {
    const choice = staticBase(builderImage, options);
    if ('error' in choice) return fail(choice.error);
    base = choice.base;
    log.note(...choice.notes);
  } else if (onlyIfStatic) {
    return fail(`already multi-stage; the final base ${rootImage(model, final).resolved} is already small`);
  } else {
    // A dynamic binary keeps its libc: drop the edits that assumed a static link.
    edits.length = 0;
    log.notes.length = 0;
    const libc = libcOf(builderImage) === 'musl' ? 'musl' : 'glibc';
    const choice = dynamicBase(builderImage, libc, options);
    if ('error' in choice) return fail(choice.error);
    base = choice.base;
    log.absorb(choice);
  }
  // Without a shell the install cannot run: the bundle it installed comes from the builder.
  const copyCertificates = !base.hasShell && certificateRuns.length > 0;
  if (copyCertificates) {
    for (const run of certificateRuns) {
      edits.push({
        start: run.range.start.offset,
        end: lineEnd(model.text, run.range.end.offset),
        newText: '',
      });
      log.note(
        `line ${line(run)} installed ca-certificates in the final stage: the CA bundle is copied from the builder instead`,
      );
    }
  }
  const finalEdits = finalStageEdits(model, final, base, {
    caCertificates: (ecosystem === 'go' && (options.caCertificates ?? true)) || copyCertificates,
    user: options.user ?? DEFAULT_USER,
    builder: builds[0]!.stage.name ?? String(builds[0]!.stage.index),
  });
  if ('error' in finalEdits) return fail(finalEdits.error);
  edits.push(...finalEdits.edits);
  log.lead(
    `final base ${rootImage(model, final).resolved} → ${base.image}: the image runs only the copied binary`,
  );
  log.absorb(finalEdits);
  return result(model, ecosystem, builderImage.raw, base.image, edits, log, finalEdits.artifact);
}

/** A JDK, full python or full node final image: the runtime variant. */
function runtimeFinal(
  model: DockerfileModel,
  final: Stage,
  ecosystem: ConvertibleEcosystem,
  program: string,
  options: ConversionOptions,
): ConversionOutcome {
  const image = rootImage(model, final);
  const log = new ConversionLog(ecosystem);
  const fail = log.refuse;
  const match = classifyImage(image)!;
  const libc = match.entry.libc;
  const release = releaseOf(image.resolved);
  const needsShell = runsCommands(final) || ['npm', 'yarn', 'pnpm'].includes(program);
  const pool = candidatePool(image, { allowed: options.allowedBases });
  const version =
    ecosystem === 'java'
      ? javaVersionOf(image.resolved)
      : ecosystem === 'python'
        ? pythonVersionOf(image.resolved)
        : nodeVersionOf(image.resolved);
  const versionOf =
    ecosystem === 'java' ? javaVersionOf : ecosystem === 'python' ? pythonVersionOf : nodeVersionOf;
  const sameRepository = repositoryOf(image.resolved);
  const base = choose(
    pool,
    (c) =>
      c.ecosystem === ecosystem &&
      isRuntimeKind(c.kind) &&
      c.kind !== 'distroless' &&
      (ecosystem === 'java' ? c.kind === 'runtime' : c.libc === libc) &&
      (!needsShell || (c.hasShell && c.packageManager === match.entry.packageManager)) &&
      releaseFits(release, c) &&
      // A venv or native addons need the same interpreter build: same image family.
      (ecosystem === 'java' || c.source === 'config' || repositoryOf(c.resolved) === sameRepository) &&
      versionsFit(version, versionOf(c.resolved)),
  );
  if (!base) return fail(`no smaller ${ecosystem} runtime for ${image.resolved} in the catalogue`);
  const edits = finalStageEdits(model, final, base, { caCertificates: false, user: undefined, builder: '' });
  if ('error' in edits) return fail(edits.error);
  log.note(`final base ${image.resolved} → ${base.image}: the runtime without the build tools`);
  log.absorb(edits);
  const builder = model.stages.find((stage) => stage !== final);
  return result(
    model,
    ecosystem,
    builder ? rootImage(model, builder).raw : image.raw,
    base.image,
    edits.edits,
    log,
    edits.artifact,
  );
}

interface FinalEdits {
  edits: TextEdit[];
  notes: string[];
  warnings: string[];
  artifact: string[];
}

/** FROM replaced; for a base without a shell: CA bundle, exec-form commands, numeric USER. */
function finalStageEdits(
  model: DockerfileModel,
  final: Stage,
  base: BaseCandidate,
  how: { caCertificates: boolean; user: string | undefined; builder: string },
): FinalEdits | { error: string } {
  const edits: TextEdit[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const from = final.from;
  const at = from.source.indexOf(from.image.raw, from.keywordRange.end.offset - from.range.start.offset);
  if (at === -1) return { error: 'the final FROM line could not be edited' };
  const start = from.range.start.offset + at;
  edits.push({ start, end: start + from.image.raw.length, newText: base.image });
  const artifact = final.instructions
    .filter(isCopyOrAdd)
    .filter((copy) => copy.from !== undefined)
    .flatMap((copy) => copy.sources);

  const noShell = !base.hasShell;
  const after = from.range.end.offset;
  if (how.caCertificates && base.kind === 'scratch') {
    edits.push({
      start: after,
      end: after,
      newText: `\n${copyLine({ from: how.builder, sources: [CA_BUNDLE], destination: '/etc/ssl/certs/' })}`,
    });
    notes.push('CA certificates copied from the builder (~200 kB) for TLS clients');
    artifact.push(CA_BUNDLE);
  }
  if (noShell) {
    const commands = startCommands([final]);
    for (const item of [commands.entrypoint, commands.cmd]) {
      if (!item || item.instruction.form === 'exec') continue;
      if (!item.words) {
        return {
          error: `${item.instruction.keyword} on line ${line(item.instruction)} needs a shell, which ${base.image} does not have`,
        };
      }
      const args = item.instruction.argumentsRange!;
      edits.push({
        start: args.start.offset,
        end: args.end.offset,
        newText: execLine(item.instruction.keyword, item.words).slice(item.instruction.keyword.length + 1),
      });
      notes.push(`${item.instruction.keyword} in exec form: ${base.image} has no /bin/sh`);
    }
    const users = final.instructions.filter((instruction) => instruction.keyword === 'USER');
    const last: Instruction | undefined = users[users.length - 1];
    if (!last && how.user) {
      const anchor = commands.entrypoint ?? commands.cmd;
      const offset = anchor ? anchor.instruction.range.start.offset : model.text.length;
      edits.push({ start: offset, end: offset, newText: `USER ${how.user}\n` });
      notes.push(`runs as the non-root user ${how.user}`);
    } else if (last && 'args' in last && !/^\d+(?::\d+)?$/.test((last.args as string[])[0] ?? '')) {
      if (how.user) {
        edits.push({
          start: last.argumentsRange!.start.offset,
          end: last.argumentsRange!.end.offset,
          newText: how.user,
        });
        warnings.push(
          `USER ${(last.args as string[])[0]} replaced by ${how.user}: ${base.image} has no /etc/passwd`,
        );
      }
    }
  }
  return { edits, notes, warnings, artifact };
}

function result(
  model: DockerfileModel,
  ecosystem: ConvertibleEcosystem,
  builderBase: string,
  finalBase: string,
  edits: readonly TextEdit[],
  said: Said,
  artifact: string[],
): ConversionOutcome {
  const notes = [...said.notes];
  const warnings = [...said.warnings];
  let text = applyEdits(model.text, edits);
  if (!text.endsWith('\n')) text += '\n';
  return {
    converted: true,
    result: { text, ecosystem, mode: 'final-base', builderBase, finalBase, artifact, notes, warnings },
  };
}
