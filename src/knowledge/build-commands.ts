/**
 * Which command lines build an artifact, and where they say it goes: go
 * build, cargo build, C/C++ compiler links and build systems, Maven and
 * Gradle packaging, Node build scripts; and the dependency steps that show
 * a Node or Python project. Predicates over one parsed command, read through
 * build-ecosystems.ts by the rules and the multi-stage rewrites alike.
 */
import type { ShellCommand } from '../dockerfile/types.js';
import { subcommand } from './command-flags.js';
import { ecosystem, pipArgs } from './ecosystems.js';

/** `go build` / `go install` of a local package (not `go install tool@v1`, not `go build ./...`). */
export function isGoBuild(command: ShellCommand): boolean {
  if (command.program !== 'go') return false;
  const sub = subcommand(command);
  if (sub === 'install') return !command.args.some((arg) => /@[^/]*$/.test(arg) && !arg.startsWith('-'));
  if (sub !== 'build') return false;
  // `go build ./...` without -o only compiles to check; nothing is written.
  if (!goFlag(command.args, 'o') && command.args.some((arg) => arg.endsWith('/...'))) return false;
  return true;
}

/** `cargo build` / `cargo install` (and `cargo zigbuild`). */
export function isCargoBuild(command: ShellCommand): boolean {
  if (command.program !== 'cargo') return false;
  const sub = subcommand(command);
  return sub === 'build' || sub === 'install' || sub === 'zigbuild' || sub === 'b';
}

const MAVEN_GOALS = /^(?:package|install|verify|compile|deploy|spring-boot:repackage|assembly:single)$/;
const GRADLE_TASKS =
  /^(?::?[\w-]+:)*(?:build|assemble|bootJar|jar|shadowJar|installDist|war|bootWar|distZip|distTar)$/;

/** The goal or task of a Java build, for messages: ` package`. */
export function javaGoal(command: ShellCommand): string {
  const goal = command.args.find((arg) => MAVEN_GOALS.test(arg) || GRADLE_TASKS.test(arg));
  return goal ? ` ${goal}` : '';
}

/** `mvn package`, `./gradlew bootJar`, `javac *.java`: a Java build that writes the artifact. */
export function isJavaBuild(command: ShellCommand): boolean {
  const { program, args } = command;
  if (program === 'mvn' || program === 'mvnw') return args.some((arg) => MAVEN_GOALS.test(arg));
  if (program === 'gradle' || program === 'gradlew') return args.some((arg) => GRADLE_TASKS.test(arg));
  if (program === 'javac') return args.some((arg) => arg.endsWith('.java'));
  return false;
}

const COMPILER = /^(?:[\w.]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?$/;
const C_SOURCE = /\.(?:c|cc|cpp|cxx|c\+\+|o|a|s|S)$/;

/** A C/C++ compiler invocation that links an executable (not -c/-S/-E, has inputs). */
export function isCompilerLink(command: ShellCommand): boolean {
  if (!COMPILER.test(command.program)) return false;
  const args = command.args;
  if (
    args.some(
      (arg) =>
        arg === '-c' || arg === '-S' || arg === '-E' || arg === '-M' || arg === '-MM' || arg === '-shared',
    )
  ) {
    return false;
  }
  return args.some((arg) => !arg.startsWith('-') && C_SOURCE.test(arg));
}

/** Value of a go flag: `-o x`, `-o=x`, `--o=x`. */
export function goFlag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `-${name}` || arg === `--${name}`) return args[i + 1] ?? '';
    if (arg.startsWith(`-${name}=`)) return arg.slice(name.length + 2);
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** `-o out` or `-oout` of a C compiler. */
export function compilerOutput(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-o') return args[i + 1];
    if (arg.startsWith('-o') && arg.length > 2) return arg.slice(2);
  }
  return undefined;
}

const MAKE_SKIP = new Set(['clean', 'help', 'distclean']);

/**
 * make, cmake --build, ninja, meson compile: a build driven by a build system
 * (whether it compiles depends on a compiler being there). `make clean all`
 * builds; `make clean` alone does not.
 */
export function isMakeLike(command: ShellCommand): boolean {
  const sub = subcommand(command);
  if (command.program === 'make' || command.program === 'gmake') {
    if (command.args.some((arg) => arg === '--version' || arg === '-v' || arg === '-n')) return false;
    return (
      sub === undefined ||
      !MAKE_SKIP.has(sub) ||
      command.args.filter((arg) => !arg.startsWith('-')).length > 1
    );
  }
  if (command.program === 'cmake') return command.args.includes('--build');
  if (command.program === 'ninja') return !command.args.includes('--version');
  if (command.program === 'meson') return sub === 'compile';
  return false;
}

/** `npm run build`, `yarn build`, `pnpm run build:prod`: a bundler or compiler run through a package script. */
export function isNodeBuild(command: ShellCommand): boolean {
  const { program, args } = command;
  const sub = subcommand(command);
  if (program === 'npm' || program === 'bun') {
    if (sub !== 'run' && sub !== 'run-script') return false;
    const script = args[args.indexOf(sub) + 1];
    return script !== undefined && /^build(?::|$)/.test(script);
  }
  if (program === 'yarn' || program === 'pnpm') {
    if (sub === 'build') return true;
    if (sub === 'run') {
      const script = args[args.indexOf(sub) + 1];
      return script !== undefined && /^build(?::|$)/.test(script);
    }
  }
  return false;
}

export const NODE_TOOLS: ReadonlySet<string> = new Set(['npm', 'yarn', 'pnpm', 'npx']);

/** npm/yarn/pnpm/npx installing dependencies or building: a Node project step. */
export function isNodeCommand(command: ShellCommand): boolean {
  return (
    NODE_TOOLS.has(command.program) &&
    (ecosystem('node').installs(command) || ecosystem('node').builds(command))
  );
}

export function isPythonProgram(program: string): boolean {
  return /^python(?:\d+(?:\.\d+)?)?$/.test(program);
}

/** `python -m venv DIR` / `virtualenv DIR`: the directory. */
export function venvTarget(command: ShellCommand): string | undefined {
  if (isPythonProgram(command.program)) {
    const m = command.args.indexOf('-m');
    if (m === -1 || (command.args[m + 1] !== 'venv' && command.args[m + 1] !== 'virtualenv'))
      return undefined;
    return command.args.slice(m + 2).find((arg) => !arg.startsWith('-'));
  }
  if (command.program === 'virtualenv') return command.args.find((arg) => !arg.startsWith('-'));
  return undefined;
}

/** pip, python -m pip, venv creation, poetry/pipenv/uv: a Python dependency step. */
export function isPythonCommand(command: ShellCommand): boolean {
  if (pipArgs(command)?.[0] === 'install' || venvTarget(command) !== undefined) return true;
  const sub = subcommand(command);
  return (
    ((command.program === 'poetry' || command.program === 'pipenv') &&
      (sub === 'install' || sub === 'sync')) ||
    (command.program === 'uv' && sub === 'sync')
  );
}
