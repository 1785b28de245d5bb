/**
 * Java: the builder is the original stage (maven, gradle, or javac + jar on
 * a JDK); the final image is a JRE from the catalogue (kind runtime, the same
 * Java release when both names say it) with the jar or class directories
 * the `java` command uses, started in exec form.
 */

import { posix } from 'node:path';
import { classifyImage } from '../../catalog/base-images.js';
import type { DockerfileModel, ImageRef, ShellCommand } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ecosystem } from '../../knowledge/ecosystems.js';
import { type BaseCandidate, candidatePool, javaVersionOf, versionsFit } from './bases.js';
import { type BuilderPlan, builderName } from './builder.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { libcOf } from './native.js';
import { chooseRuntime, runtimeFinalStage, runtimePackages } from './runtime.js';
import {
  type InstalledPackages,
  leadingWords,
  releaseOf,
  resolvePath,
  type StartCommands,
  startCommands,
  systemPackages,
  unique,
  workdirBefore,
} from './shared.js';
import type { ConversionOptions } from './types.js';

function runsJavaBuildStep(command: ShellCommand): boolean {
  if (ecosystem('maven').builds(command) || ecosystem('gradle').builds(command)) return true;
  if (command.program === 'javac') return true;
  return command.program === 'jar' && /^-?[a-z]*c/.test(command.args[0] ?? '');
}

/** java options that take the next word as their value. */
const VALUE_OPTIONS = new Set([
  '-cp',
  '-classpath',
  '--class-path',
  '-p',
  '--module-path',
  '--add-opens',
  '--add-exports',
  '--add-modules',
  '--add-reads',
  '-m',
  '--module',
]);

interface JavaCommand {
  jar?: string;
  jarIndex?: number;
  classpath?: string[];
  modules: boolean;
}

function parseJava(words: readonly string[]): JavaCommand {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-jar') return { jar: words[i + 1] ?? '', jarIndex: i + 1, modules: false };
    if (word === '-p' || word === '--module-path' || word === '-m' || word === '--module')
      return { modules: true };
    if (word === '-cp' || word === '-classpath' || word === '--class-path') {
      return { classpath: (words[i + 1] ?? '').split(':').filter(Boolean), modules: false };
    }
    if (word.startsWith('--class-path='))
      return { classpath: word.slice(13).split(':').filter(Boolean), modules: false };
    if (VALUE_OPTIONS.has(word)) {
      i++;
      continue;
    }
    if (!word.startsWith('-')) return { classpath: ['.'], modules: false };
  }
  return { modules: false };
}

const JDK_PACKAGE = /^(?:openjdk-\d+-jdk(?:-headless)?|default-jdk(?:-headless)?|java-\d+-openjdk-devel)$/;

const JAVA_PACKAGES =
  /^(?:openjdk-\d+-\w+(?:-headless)?|default-j(?:dk|re)(?:-headless)?|openjdk\d+(?:-\w+)?|maven|gradle|ant|java-\d+-openjdk.*)$/;

/** ENV of a JDK/Maven/Gradle image that would point a JRE at the wrong place. */
function isJavaBuildEnv(key: string): boolean {
  return /^(?:JAVA_HOME|JDK_HOME|M2_HOME|MAVEN_\w+|GRADLE_\w+)$/.test(key);
}

interface JavaFacts {
  start: StartCommands;
  /** The words of the java command the container starts. */
  words: string[];
  java: JavaCommand;
  /** What the java command needs from the build, builder path → final path. */
  copies: Array<{ from: string; to: string }>;
  /** A jar glob is copied under a fixed name: the word of the command to rewrite. */
  jarRewrite?: { index: number; path: string };
  jdk: boolean;
  version: string | undefined;
  packages: InstalledPackages[];
}

interface JavaBuilt {
  /** The jlinked runtime and the base it runs on, when one is built. */
  runtime?: { base: BaseCandidate };
}

function precheck({ model, stage, log }: ConversionInput): JavaFacts | Refused {
  const builds = stage.instructions
    .filter(isRun)
    .flatMap((run) => run.script.commands.filter(runsJavaBuildStep));
  const builderImage = stage.base;
  const baseEntry = classifyImage(builderImage)?.entry;
  const installedJdk = systemPackages([stage]).some((item) =>
    item.names.some((name) => JDK_PACKAGE.test(name)),
  );
  const jdk = (baseEntry?.ecosystem === 'java' && baseEntry.kind === 'toolchain') || installedJdk;
  if (builds.length === 0 && !jdk)
    return { error: 'no maven, gradle or javac build, and no JDK in the image' };
  if (builds.length === 0) {
    log.note(
      'no maven/gradle/javac command seen: the build steps run as written and the jar the command names is copied',
    );
  }
  const start = startCommands([stage], true);
  if (!start.entrypoint && !start.cmd) return { error: 'no CMD or ENTRYPOINT runs the app' };
  const words = leadingWords(start);
  if (!words) return { error: 'the CMD/ENTRYPOINT uses shell features; no exec form to write' };
  if (posix.basename(words[0] ?? '') !== 'java') {
    return {
      error: `the container runs ${words[0]}, not java: the final image would need ${words[0]} (a build tool?)`,
    };
  }
  const java = parseJava(words);
  if (java.modules) return { error: 'java --module-path/--module: the module layout is not followed' };
  const workdir = workdirBefore(model, stage, Number.POSITIVE_INFINITY);

  // What the command needs from the build.
  const copies: Array<{ from: string; to: string }> = [];
  let jarRewrite: JavaFacts['jarRewrite'];
  if (java.jar !== undefined) {
    const jar = resolvePath(workdir, java.jar);
    if (!jar) return { error: `the jar ${java.jar} is relative and WORKDIR is unknown` };
    if (/[*?[]/.test(jar)) {
      if (/[*?[]/.test(posix.dirname(jar)))
        return { error: `the jar ${java.jar} is a glob over directories` };
      const fixed = `${posix.dirname(jar)}/app.jar`;
      copies.push({ from: jar, to: fixed });
      jarRewrite = { index: java.jarIndex!, path: fixed };
      log.warn(`${java.jar} must match exactly one jar in the builder: it is copied as ${fixed}`);
    } else {
      copies.push({ from: jar, to: jar });
    }
  } else {
    for (const entry of java.classpath ?? ['.']) {
      const path = resolvePath(workdir, entry.replace(/\/\*$/, ''));
      if (!path) return { error: `classpath entry ${entry} is relative and WORKDIR is unknown` };
      if (/[*?[]/.test(path)) return { error: `classpath entry ${entry} is a glob` };
      copies.push({ from: path, to: path });
    }
  }

  const aptJava = systemPackages([stage])
    .flatMap((item) => item.names)
    .map((name) => /^openjdk-(\d+)-/.exec(name)?.[1])
    .find((version) => version !== undefined);
  return {
    start,
    words,
    java,
    copies,
    ...(jarRewrite ? { jarRewrite } : {}),
    jdk,
    version: javaVersionOf(builderImage.resolved) ?? aptJava,
    packages: runtimePackages([stage], (name) => JAVA_PACKAGES.test(name)),
  };
}

/** With the jlink option, a runtime of only the modules the jar uses is built at the builder's end. */
function planBuilder(
  { model, stage, options, log }: ConversionInput,
  facts: JavaFacts,
  plan: BuilderPlan,
): JavaBuilt {
  if (!options.jlink) return {};
  const jlinked = jlinkPlan(model, stage.base, facts, libcOf(stage.base), options);
  if ('note' in jlinked) {
    log.note(jlinked.note);
    return {};
  }
  plan.append.push(jlinked.line);
  log.note(
    `jlink builds a Java runtime with only the modules jdeps finds in ${facts.java.jar}, on ${jlinked.base.image}`,
  );
  return { runtime: { base: jlinked.base } };
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { start, words, copies: needed, jarRewrite, version, packages }: JavaFacts,
  { runtime }: JavaBuilt,
): FinalStage | Refused {
  const builderImage = stage.base;
  const libc = libcOf(builderImage);
  const copies = runtime ? [{ from: JLINK_DIR, to: JLINK_DIR }, ...needed] : needed;
  const base =
    runtime?.base ??
    chooseRuntime(
      candidatePool(builderImage, { allowed: options.allowedBases }),
      (c) =>
        c.ecosystem === 'java' &&
        (c.kind === 'runtime' || (c.kind === 'alpine' && libc === 'musl')) &&
        versionsFit(version, javaVersionOf(c.resolved)),
      packages,
    );
  if (!base)
    return {
      error: `no JRE${version ? ` for Java ${version}` : ''} in the catalogue (add one to the config's baseImages)`,
    };

  const final = runtimeFinalStage({
    model,
    stages: [stage],
    start,
    rewriteStart: (w) => {
      if (w !== words) return w;
      const rewritten = jarRewrite
        ? w.map((word, i) => (i === jarRewrite.index ? jarRewrite.path : word))
        : [...w];
      if (runtime) rewritten[0] = `${JLINK_DIR}/bin/java`;
      return rewritten;
    },
    builder: builderName(stage),
    copies: uniqueCopies(copies),
    base,
    packages,
    dropEnv: isJavaBuildEnv,
  });
  if ('error' in final) return final;
  log.lead(
    `multi-stage: ${builderImage.raw} builds, ${runtime ? 'a jlinked runtime on' : 'the JRE'} ${base.image} runs ${needed
      .map((copy) => copy.to)
      .join(', ')}`,
  );
  log.absorb(final);
  return { stage: final.stage, base: base.image, artifact: final.artifact };
}

export const javaConverter: ConverterHooks<JavaFacts, JavaBuilt> = { precheck, planBuilder, chooseFinal };

const JLINK_DIR = '/opt/jre';

/**
 * The jlink step and the base for its runtime, or why not (a note): it needs
 * `java -jar`, a JDK with jlink and jdeps (Java 11+), and a glibc base of the
 * same release to run on.
 */
function jlinkPlan(
  model: DockerfileModel,
  builder: ImageRef,
  { java, copies, version, packages, jdk }: JavaFacts,
  libc: string | undefined,
  options: ConversionOptions,
): { base: BaseCandidate; line: string } | { note: string } {
  if (java.jar === undefined) return { note: 'jlink skipped: the command does not run java -jar' };
  if (!jdk) return { note: `jlink skipped: ${builder.raw} is not a JDK` };
  if (version !== undefined && Number(version) < 11)
    return { note: `jlink skipped: Java ${version} has no jdeps --print-module-deps` };
  const release = releaseOf(builder.resolved);
  const base = chooseRuntime(
    candidatePool(builder, { allowed: options.allowedBases }),
    (c) =>
      c.ecosystem === 'generic' &&
      c.kind === 'slim' &&
      c.libc === libc &&
      (release === undefined ? releaseOf(c.resolved) === undefined : releaseOf(c.resolved) === release),
    packages,
  );
  if (!base)
    return {
      note: `jlink skipped: no slim ${libc ?? ''} base of ${release ?? 'the same release'} in the catalogue`,
    };
  const jar = copies[0]!.from;
  const strip = version !== undefined && Number(version) < 13 ? '' : ' --strip-java-debug-attributes';
  const line = `RUN jlink --add-modules "$(jdeps --print-module-deps --ignore-missing-deps ${jar})" ${model.escape}\n      --no-man-pages --no-header-files --compress=2${strip} --output ${JLINK_DIR}`;
  return { base, line };
}

function uniqueCopies(
  copies: ReadonlyArray<{ from: string; to: string }>,
): Array<{ from: string; to: string }> {
  const keys = unique(copies.map((copy) => `${copy.from}\0${copy.to}`));
  return keys.map((key) => {
    const [from, to] = key.split('\0') as [string, string];
    return { from, to };
  });
}
