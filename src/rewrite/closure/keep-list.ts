/**
 * The keep list: the paths a closure final stage holds, in a file beside the
 * Dockerfile that a person can review like code and GNU tar reads as its
 * file list (`tar -T`). Two sections: paths kept one by one (a directory line
 * keeps the directory with its owner and mode, not its contents), then trees
 * kept whole with everything added to them later, with the subtrees they
 * leave out. Comments start with `#`; the Dockerfile's RUN strips them and the
 * leading `/` (tar reads the paths relative to the stage's root).
 *
 * Names are written as tar's `-T` reads them by default (`--unquote`): a
 * backslash is `\\` and a newline `\n`.
 */
import { type FileTree, ROOT } from '../../analyze/file-tree.js';
import type { KeepSet } from '../../reach/keep-set.js';
import type { WholeTree } from '../../reach/whole-trees.js';
import { PareError } from '../../util/errors.js';

export interface KeptTree {
  path: string;
  excluded: string[];
  /** Why it is kept whole, shown as a comment above it. */
  detail?: string;
}

export interface KeepList {
  /** Kept one by one. */
  paths: string[];
  trees: KeptTree[];
  /** The same paths grouped by why they are kept, for the reader (absent when read back). */
  groups?: Array<{ heading: string; paths: string[] }>;
}

/** Headings of the groups, in the order a reviewer reads them; reasons are the KeepSet's. */
const GROUPS: Array<{ heading: string; reasons: readonly string[] }> = [
  {
    heading: 'The command lines (ENTRYPOINT, CMD, HEALTHCHECK), the scripts they run, their interpreters',
    reasons: ['entrypoint', 'script', 'interpreter'],
  },
  {
    heading: 'Shared libraries the kept programs load (ELF DT_NEEDED and PT_INTERP)',
    reasons: ['elf-needed', 'elf-interpreter'],
  },
  { heading: 'Read, run or looked up when the app ran under the probe (traced)', reasons: ['traced'] },
  {
    heading: "Modules the app's code imports, found by its interpreter",
    reasons: ['python-import', 'node-require'],
  },
  { heading: 'Packages a reached file belongs to, kept whole', reasons: ['package'] },
  { heading: 'Identity, network, trust and time; directories programs expect', reasons: ['essential'] },
  { heading: 'Asked for with --include', reasons: ['include'] },
];
const OTHER_HEADING = 'Kept for other reasons';
const PARENTS_HEADING = 'Directories on the way (kept for their owners and modes)';

/**
 * The keep list of a selection: the trees kept whole, and every other kept path one by one
 * together with the directories on the way to it and to each tree (so their modes survive).
 */
export function keepListOf(keep: KeepSet, wholeTrees: readonly WholeTree[]): KeepList {
  const tree = keep.tree;
  const covered = (path: string) =>
    wholeTrees.some(
      (whole) =>
        (path === whole.path || isBelow(path, whole.path)) &&
        !whole.excluded.some((excluded) => path === excluded || isBelow(path, excluded)),
    );
  const listed = new Set<number>();
  const addWithParents = (id: number) => {
    for (let node = id; node >= ROOT && !listed.has(node); node = node === ROOT ? -1 : tree.parentOf(node))
      listed.add(node);
  };
  for (const [id] of keep.entries()) {
    if (!covered(tree.pathOf(id))) addWithParents(id);
  }
  for (const whole of wholeTrees) {
    const id = tree.lookup(whole.path);
    if (id > ROOT) addWithParents(tree.parentOf(id));
  }
  listed.add(ROOT);
  const paths: string[] = [];
  const byHeading = new Map<string, string[]>();
  walkInOrder(tree, (id, path) => {
    if (!listed.has(id)) return false;
    paths.push(path);
    const reason = keep.reasonOf(id)?.reason;
    const heading =
      reason === undefined || covered(path)
        ? PARENTS_HEADING
        : (GROUPS.find((group) => group.reasons.includes(reason))?.heading ?? OTHER_HEADING);
    const group = byHeading.get(heading);
    if (group) group.push(path);
    else byHeading.set(heading, [path]);
    return true;
  });
  const order = [...GROUPS.map((group) => group.heading), OTHER_HEADING, PARENTS_HEADING];
  return {
    paths,
    groups: order
      .filter((heading) => byHeading.has(heading))
      .map((heading) => ({ heading, paths: byHeading.get(heading)! })),
    trees: wholeTrees.map((whole) => ({
      path: whole.path,
      excluded: [...whole.excluded],
      detail: whole.detail,
    })),
  };
}

function walkInOrder(tree: FileTree, visit: (id: number, path: string) => boolean): void {
  if (!visit(ROOT, '/')) return;
  tree.walk((id, path) => visit(id, path));
}

export interface KeepListHeader {
  /** The Dockerfile that reads the list, as the user will see it. */
  dockerfile: string;
  /** The stage the paths are picked from. */
  stage: string;
}

export function renderKeepList(list: KeepList, header: KeepListHeader): string {
  const lines = [
    `# The files of the image ${header.dockerfile} builds: GNU tar copies these paths out of`,
    `# stage "${header.stage}" into an empty final stage. Written by \`pare optimize\` from what the`,
    '# app reached when it ran under the probe; review it like code. `pare optimize --check`',
    '# re-derives it after a change and names every path that is missing here.',
    '#',
    '# Kept one by one (a directory line keeps the directory, not what is in it):',
    '--no-recursion',
  ];
  for (const group of list.groups ?? [{ heading: '', paths: list.paths }]) {
    if (group.heading) lines.push('', `# ${group.heading}`);
    lines.push(...group.paths.map(quote));
  }
  lines.push(
    '',
    '# Kept whole, with everything added to them later:',
    '--recursion',
    '--anchored',
    '--no-wildcards',
  );
  let lastDetail: string | undefined;
  for (const tree of list.trees) {
    // Consecutive trees kept for the same reason share one comment.
    if (tree.detail && tree.detail !== lastDetail) lines.push(`# ${tree.detail.replace(/\n/g, ' ')}`);
    lastDetail = tree.detail;
    for (const excluded of tree.excluded) lines.push(`--exclude=${quote(excluded)}`);
    lines.push(quote(tree.path));
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a keep list back (for `--check`); a line it does not understand is a one-line error. */
export function parseKeepList(text: string, subject: string): KeepList {
  const list: KeepList = { paths: [], trees: [] };
  let recursive = false;
  let excluded: string[] = [];
  let detail: string | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    if (line.startsWith('#')) {
      detail = line.slice(1).trim();
      continue;
    }
    // A tree without its own comment shares the one above it.
    if (line === '--no-recursion' || line === '--recursion') {
      recursive = line === '--recursion';
      continue;
    }
    if (line === '--anchored' || line === '--no-wildcards') continue;
    if (line.startsWith('--exclude=')) {
      excluded.push(unquote(line.slice('--exclude='.length)));
      continue;
    }
    if (!line.startsWith('/')) {
      throw new PareError(`line ${index + 1}: expected an absolute path or a tar option, got "${line}"`, {
        subject,
      });
    }
    const path = unquote(line);
    if (recursive) {
      list.trees.push({ path, excluded, ...(detail ? { detail } : {}) });
      excluded = [];
    } else {
      list.paths.push(path);
      detail = undefined;
    }
  }
  return list;
}

/** Whether the list keeps `path` (one by one, or inside a tree and not left out). */
export function keepsPath(list: KeepList, path: string, index = indexOf(list)): boolean {
  if (index.has(path)) return true;
  return list.trees.some(
    (tree) =>
      (path === tree.path || isBelow(path, tree.path)) &&
      !tree.excluded.some((excluded) => path === excluded || isBelow(path, excluded)),
  );
}

export function indexOf(list: KeepList): Set<string> {
  return new Set(list.paths);
}

function quote(path: string): string {
  return path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function unquote(text: string): string {
  return text.replace(/\\(\\|n)/g, (_all, char: string) => (char === 'n' ? '\n' : '\\'));
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}
