/**
 * Small queries over the Dockerfile model that many rules share.
 */
import type { RunInstruction, ShellCommand, Stage } from '../dockerfile/types.js';
import { isRun } from '../dockerfile/types.js';

export function runsOf(stage: Stage): RunInstruction[] {
  return stage.instructions.filter(isRun);
}

/** Cache or tmpfs mounts make a directory vanish from the layer: no cleanup needed there. */
export function mountedTargets(run: RunInstruction): string[] {
  if (run.mounts.length === 0) return [];
  return run.mounts
    .filter((mount) => mount.type === 'cache' || mount.type === 'tmpfs')
    .map((mount) => mount.target)
    .filter((target): target is string => target !== undefined);
}

export function isUnderMount(run: RunInstruction, path: string): boolean {
  return mountedTargets(run).some((target) => {
    const normalised = target.replace(/\/+$/, '');
    return path === normalised || path.startsWith(`${normalised}/`);
  });
}

/** `rm -rf /var/lib/apt/lists/*` and friends: the paths a command deletes. */
export function removedPaths(command: ShellCommand): string[] {
  if (command.program !== 'rm') return [];
  return command.args.filter((arg) => !arg.startsWith('-'));
}

/** Whether a deletion pattern like `/var/lib/apt/lists/*` covers a path. */
export function removalCovers(pattern: string, path: string): boolean {
  const { clean, regex } = removal(pattern);
  if (clean === path || path.startsWith(`${clean}/`)) return true;
  return regex?.test(path) ?? false;
}

interface Removal {
  /** The pattern without a trailing `/*` or `/`, braces read as `*`. */
  clean: string;
  /** What the wildcards match, when there are any. */
  regex: RegExp | undefined;
}

/**
 * A deletion pattern is tested against every path the Dockerfile made, by
 * several rules: each one is read once. The cache holds the patterns of the
 * files being linted and starts over past a few thousand.
 */
const removals = new Map<string, Removal>();

function removal(pattern: string): Removal {
  let known = removals.get(pattern);
  if (!known) {
    const clean = pattern
      .replace(/\/\*+$/, '')
      .replace(/\/+$/, '')
      .replace(/\{[^}]*\}/g, '*');
    const regex = clean.includes('*')
      ? new RegExp(`^${clean.split('*').map(escapeRegExp).join('[^/]*')}(?:/.*)?$`)
      : undefined;
    known = { clean, regex };
    if (removals.size >= 4096) removals.clear();
    removals.set(pattern, known);
  }
  return known;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A command line as a message quotes it: long ones cut to 60 characters, so the message stays one line. */
export function shortCommand(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The first few items, then how many more: a message about thousands of lines stays one line. */
export function listSome<T>(items: readonly T[], describe: (item: T) => string, shown = 3): string {
  const named = items.slice(0, shown).map(describe).join(', ');
  return items.length > shown ? `${named} and ${items.length - shown} more` : named;
}
