/**
 * Flags people bring from hadolint, dive and SlimToolkit. pare does not
 * accept them (one meaning per flag), but when one is typed the error says
 * what pare calls it. docs/flags.md has the full table.
 */
const FOREIGN_FLAGS: Record<string, string> = {
  // hadolint
  '--failure-threshold': 'hadolint\'s --failure-threshold is "pare lint --fail-on"',
  '-t': 'hadolint\'s -t is "pare lint --fail-on"',
  '--ignore': 'hadolint\'s --ignore is "pare lint --disable RULE,RULE"',
  '--no-fail': 'hadolint\'s --no-fail is "pare lint --fail-on none"',
  // Two tools' -f: hadolint's output format, docker build's Dockerfile.
  '-f': 'hadolint\'s -f is "--format"; docker build\'s -f is "pare optimize --file"',
  '-c': 'hadolint\'s -c is "--config"',
  // dive
  '--ci': 'dive\'s --ci is "pare inspect" with --max-size, --max-wasted or --min-efficiency',
  '--lowestEfficiency': 'dive\'s --lowestEfficiency is "pare inspect --min-efficiency PERCENT"',
  '--highestWastedBytes': 'dive\'s --highestWastedBytes is "pare inspect --max-wasted SIZE"',
  '--json': 'dive\'s --json FILE is "--format json --report FILE"',
  // SlimToolkit
  '--http-probe': 'slim\'s --http-probe is "--probe-http :PORT/PATH"',
  '--http-probe-cmd': 'slim\'s --http-probe-cmd is "--probe-http :PORT/PATH"',
  '--include-path': 'slim\'s --include-path is "pare slim --minimal --include PATH"',
  '--exclude-pattern': 'slim\'s --exclude-pattern is "pare slim --minimal --exclude GLOB"',
};

/** The hint for an unknown flag, when it is another tool's; `--flag=value` counts as `--flag`. */
export function foreignFlagHint(flag: string): string | undefined {
  const name = flag.split('=')[0]!;
  return Object.hasOwn(FOREIGN_FLAGS, name) ? FOREIGN_FLAGS[name] : undefined;
}
