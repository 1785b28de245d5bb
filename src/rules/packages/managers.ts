/**
 * Recognising package-manager command lines in a RUN: which tool, which
 * action, where the action word is (for inserting flags after it).
 */
import { posix } from 'node:path';
import type { RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { APK, APT, RPM_MANAGERS } from '../../knowledge/packages.js';
import { subcommandIndex } from './common.js';

export interface PackageCommand {
  command: ShellCommand;
  /** Position in run.script.commands. */
  index: number;
  tool: string;
  /** The subcommand, e.g. `install`; undefined for a bare `yarn`. */
  action: string | undefined;
  /** Index of the action word in command.args (-1 when none). */
  actionIndex: number;
  /** The tool's own arguments (after `xargs`, `python -m pip` prefixes). */
  args: string[];
  /** Offset of `args` inside command.args. */
  argsOffset: number;
}

const RPM_OPTIONS_WITH_VALUE = [
  '-c',
  '--config',
  '--installroot',
  '--releasever',
  '-x',
  '--exclude',
  '--enablerepo',
  '--disablerepo',
  '--repo',
  '--repoid',
  '-r',
  '--repofrompath',
  '--setopt',
  '-d',
  '-e',
  '--root',
];

/** Options of a package manager that take a value, so the value is not read as the action or a package. */
export function optionsWithValue(tool: string): readonly string[] {
  if (tool === 'apt-get' || tool === 'apt') return APT.optionsWithValue;
  if (tool === 'apk') return APK.optionsWithValue;
  if (tool in RPM_MANAGERS) return RPM_OPTIONS_WITH_VALUE;
  return [];
}

function make(command: ShellCommand, index: number, tool: string, argsOffset: number): PackageCommand {
  const args = command.args.slice(argsOffset);
  const local = subcommandIndex(args, optionsWithValue(tool));
  return {
    command,
    index,
    tool,
    action: local === -1 ? undefined : args[local],
    actionIndex: local === -1 ? -1 : local + argsOffset,
    args,
    argsOffset,
  };
}

const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;
const PIP = /^pip(?:\d+(?:\.\d+)?)?$/;

/**
 * The package commands of a RUN. `xargs apt-get install -y < list` counts as
 * apt-get; `python3 -m pip install` as pip. Wrapper entries (`sudo …`) are
 * skipped because the model lists the wrapped command too.
 */
export function packageCommands(run: RunInstruction): PackageCommand[] {
  const cached = cache.get(run);
  if (cached) return cached;
  const result = findPackageCommands(run);
  cache.set(run, result);
  return result;
}

const cache = new WeakMap<RunInstruction, PackageCommand[]>();

function findPackageCommands(run: RunInstruction): PackageCommand[] {
  const result: PackageCommand[] = [];
  run.script.commands.forEach((command, index) => {
    const program = command.program;
    if (program === 'xargs') {
      const at = command.args.findIndex((arg) => !arg.startsWith('-'));
      const inner = at === -1 ? undefined : command.args[at]!;
      const innerProgram = inner === undefined ? undefined : posix.basename(inner);
      if (
        innerProgram &&
        (innerProgram === 'apt-get' ||
          innerProgram === 'apt' ||
          innerProgram === 'apk' ||
          innerProgram in RPM_MANAGERS)
      ) {
        result.push(make(command, index, innerProgram, at + 1));
      }
      return;
    }
    if (PYTHON.test(program)) {
      const m = command.args.indexOf('-m');
      if (
        m !== -1 &&
        command.args[m + 1] === 'pip' &&
        command.args.slice(0, m).every((arg) => arg.startsWith('-'))
      ) {
        result.push(make(command, index, 'pip', m + 2));
      }
      return;
    }
    if (PIP.test(program)) {
      result.push(make(command, index, 'pip', 0));
      return;
    }
    if (
      program === 'apt-get' ||
      program === 'apt' ||
      program === 'apk' ||
      program === 'npm' ||
      program === 'yarn' ||
      program === 'pnpm' ||
      program in RPM_MANAGERS
    ) {
      result.push(make(command, index, program, 0));
    }
  });
  return result;
}

export function isApt(item: PackageCommand): boolean {
  return item.tool === 'apt-get' || item.tool === 'apt';
}

/** apt(-get) commands that download packages. */
export function isAptInstall(item: PackageCommand): boolean {
  return isApt(item) && item.action !== undefined && APT.installActions.has(item.action);
}

export function isAptUpdate(item: PackageCommand): boolean {
  return isApt(item) && item.action === 'update';
}
