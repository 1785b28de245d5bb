/**
 * The remove-and-prove candidate: system packages the shipped stage installs
 * (curl, vim, build-essential, compilers) whose files nothing the app runs
 * reaches are taken out of their install commands, and the build and the
 * probe decide. It needs no empty base and no GNU tar, so it is the smaller
 * image a team gets when the closure is not possible (a policy without
 * scratch), and it shows which packages were dead weight.
 *
 * Which files a package installed is asked of the image's own package
 * manager (dpkg-query -L, apk info -L, rpm -ql), in one container run.
 */
import { KIND_DIRECTORY } from '../analyze/file-tree.js';
import type { DockerfileModel, ShellCommand, Stage } from '../dockerfile/types.js';
import { isRun } from '../dockerfile/types.js';
import type { Engine } from '../engine/engine.js';
import { packageChange } from '../knowledge/file-commands.js';
import type { KeepSet } from '../reach/keep-set.js';
import { resolvePath } from '../reach/resolve-path.js';
import { applyEdits } from '../rewrite/apply-edits.js';

type Manager = 'apt' | 'apk' | 'rpm';

const LIST_FILES: Record<Manager, string> = {
  apt: 'dpkg-query -L "$p"',
  apk: 'apk info -qL "$p" | sed "s,^,/,"',
  rpm: 'rpm -ql "$p"',
};

export interface InstalledByStage {
  manager: Manager;
  name: string;
  /** The install command that names it (the last one, when several do). */
  command: ShellCommand;
}

/** Packages the shipped stage's chain installs and does not remove again, with the command naming each. */
export function installedPackages(
  model: DockerfileModel,
  stage: Stage = model.finalStage,
): InstalledByStage[] {
  const chain: Stage[] = [];
  for (let current: Stage | undefined = stage; current; ) {
    chain.unshift(current);
    current = current.baseStage === undefined ? undefined : model.stages[current.baseStage];
    if (current && chain.includes(current)) break;
  }
  const installed = new Map<string, InstalledByStage>();
  for (const current of chain) {
    for (const run of current.instructions.filter(isRun)) {
      for (const command of run.script.commands) {
        const change = packageChange(command);
        if (!change || (change.manager !== 'apt' && change.manager !== 'apk' && change.manager !== 'rpm'))
          continue;
        for (const name of change.names) {
          const key = `${change.manager}:${name}`;
          if (change.action === 'install') installed.set(key, { manager: change.manager, name, command });
          else installed.delete(key);
        }
      }
    }
  }
  return [...installed.values()];
}

/** The files each package installed, as the image's package manager lists them. */
export async function packageFiles(
  engine: Engine,
  image: string,
  packages: readonly InstalledByStage[],
  signal?: AbortSignal,
): Promise<Map<string, string[]> | undefined> {
  const manager = packages[0]?.manager;
  if (!manager || packages.some((p) => p.manager !== manager)) return undefined;
  const script = `for p in "$@"; do echo "@@pare-package $p"; ${LIST_FILES[manager]} 2>/dev/null; done`;
  const exit = await engine.run({
    image,
    entrypoint: ['/bin/sh'],
    cmd: ['-c', script, 'sh', ...packages.map((p) => p.name)],
    user: '0:0',
    network: 'none',
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
  if (exit.exitCode !== 0) return undefined;
  const files = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of exit.stdout.split('\n')) {
    const header = /^@@pare-package (.+)$/.exec(line);
    if (header) {
      current = [];
      files.set(header[1]!, current);
    } else if (current && line.startsWith('/')) current.push(line);
  }
  return files;
}

/** Named packages none of whose files (directories aside) the closure kept. */
export function unreachedPackages(
  keep: KeepSet,
  packages: readonly InstalledByStage[],
  files: Map<string, string[]>,
): InstalledByStage[] {
  const tree = keep.tree;
  return packages.filter((p) => {
    const listed = files.get(p.name);
    if (!listed || listed.length === 0) return false;
    return !listed.some((path) => {
      const id = resolvePath(tree, path).id;
      return id !== undefined && tree.kindOf(id) !== KIND_DIRECTORY && keep.has(id);
    });
  });
}

/**
 * The Dockerfile with the packages taken out of the commands that install them; a command left
 * with no package becomes `true`, so the RUN it is in still runs the rest. Undefined when a name
 * is not a plain word of its command's text (quoted, built from a variable): nothing is guessed.
 */
export function withoutPackages(
  model: DockerfileModel,
  remove: readonly InstalledByStage[],
): string | undefined {
  const byCommand = new Map<ShellCommand, Set<string>>();
  for (const p of remove) byCommand.set(p.command, new Set([...(byCommand.get(p.command) ?? []), p.name]));
  const edits: Array<{ start: number; end: number; newText: string }> = [];
  for (const [command, names] of byCommand) {
    if (command.nested) return undefined;
    const start = command.range.start.offset;
    const text = model.text.slice(start, command.range.end.offset);
    const words = [...text.matchAll(/[^\s\\]+/g)].map((match) => ({ text: match[0], at: match.index! }));
    const change = packageChange(command)!;
    const remaining = change.names.filter((name) => !names.has(name));
    if (remaining.length === 0) {
      edits.push({ start, end: command.range.end.offset, newText: 'true' });
      continue;
    }
    for (const name of names) {
      // The word as written: the name, or the name with a version pin (curl=7.88.1-10).
      const word = words.find(
        (w) => w.text === name || new RegExp(`^${escapeRegExp(name)}[=<>~]`).test(w.text),
      );
      if (!word) return undefined;
      // Remove the word and the blanks before it.
      let from = word.at;
      while (from > 0 && /[ \t]/.test(text[from - 1]!)) from--;
      edits.push({ start: start + from, end: start + word.at + word.text.length, newText: '' });
    }
  }
  return applyEdits(model.text, edits);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
