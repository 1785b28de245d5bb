/**
 * What command-line flags say about a command, whatever the tool: shared by
 * the rules, the rewrites and the image detectors.
 */

/** `bundle --version`, `yarn -v`, `npm --help`: the command prints something and changes nothing. */
export function asksOnlyForInformation(args: readonly string[]): boolean {
  return args.some(
    (arg) => arg === '--version' || arg === '-v' || arg === '-V' || arg === '--help' || arg === '-h',
  );
}
