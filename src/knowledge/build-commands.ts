/**
 * Which command lines build a native or Java artifact, and where they say it
 * goes: go build, cargo build, C/C++ compiler links, Maven and Gradle
 * packaging. Predicates over one parsed command, shared by the rules and the
 * multi-stage rewrites.
 */
import type { ShellCommand } from '../dockerfile/types.js';
import { subcommand } from './command-flags.js';

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
