/**
 * Reading a command line, whatever the tool: its options, its subcommand,
 * its operands, and what some flags say. Shared by the rules, the rewrites
 * and the image detectors.
 */
import type { ShellCommand } from '../dockerfile/types.js';

/** True when any argument is one of the given long or short options (`-y`, `--yes`, `-qy`). */
export function hasOption(args: readonly string[], ...options: string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    for (const option of options) {
      if (arg === option || arg.startsWith(`${option}=`)) return true;
      if (option.length === 2 && option[0] === '-' && /^-[a-zA-Z]+$/.test(arg) && arg.includes(option[1]!))
        return true;
    }
  }
  return false;
}

/** First argument that is not an option: `install` in `apt-get -y install x`. */
export function subcommand(command: ShellCommand): string | undefined {
  return command.args.find((arg) => !arg.startsWith('-'));
}

/** `bundle --version`, `yarn -v`, `npm --help`: the command prints something and changes nothing. */
export function asksOnlyForInformation(args: readonly string[]): boolean {
  return args.some(
    (arg) => arg === '--version' || arg === '-v' || arg === '-V' || arg === '--help' || arg === '-h',
  );
}
