/**
 * The trees a closure keeps whole so that it survives the app's own changes:
 * a traced run sees one run of one version of the app, but the next commit
 * adds a source file, a dependency, a stdlib import. So the app's
 * directories, its dependency trees and the interpreter's standard library
 * are kept whole, and only the operating system around them (shells,
 * package managers, coreutils, docs, unused libraries) is trimmed to what
 * was reached. Each tree is found from what was reached, not from a
 * catalogue of images: a Python is wherever a reached file sits in
 * `PREFIX/lib/pythonX.Y/`, a JDK wherever `lib/modules` sits beside a reached file.
 *
 * Inside a whole tree a few subtrees are left out that an installed runtime
 * never runs (the stdlib's own test suite, the static library and Makefiles
 * for building extensions, pip's installer); a left-out subtree that
 * something reached after all is not left out.
 */
import { posix } from 'node:path';
import { KIND_DIRECTORY, KIND_SYMLINK } from '../analyze/file-tree.js';
import { ESSENTIAL_TREES } from './essentials.js';
import type { KeepSet } from './keep-set.js';
import { devOnlyPackages, type ProjectFiles } from './node-production.js';

export interface WholeTree {
  /** Absolute path of a directory (or a single file) kept with everything below it. */
  path: string;
  /** Machine-readable reason: `app`, `dependencies`, `runtime` or `essential`. */
  reason: 'app' | 'dependencies' | 'runtime' | 'essential';
  /** Human words: "COPY destination", "the Python 3.11 standard library"… */
  detail: string;
  /** Absolute paths below `path` left out (with everything below them). */
  excluded: string[];
}

export interface WholeTreeOptions {
  /** The app's own directories and files (COPY/ADD destinations, WORKDIR), with what named them. */
  appRoots: Array<{ path: string; detail: string }>;
  /** Installed packages a reached file belongs to (`…/node_modules/express`, `…/site-packages/flask`). */
  packages?: readonly string[];
  /** The image's files, to read Node projects' package.json (devDependencies are left out). */
  files?: ProjectFiles;
}

/** How deep below an app root a Node project (package.json beside node_modules) is looked for. */
const PROJECT_DEPTH = 3;

/** Subtrees of a CPython `lib/pythonX.Y` an installed app never runs. */
const PYTHON_STDLIB_LEFT_OUT = [
  'test',
  'idlelib',
  'turtledemo',
  'ensurepip',
  'lib2to3/tests',
  'tkinter/test',
  'unittest/test',
  'ctypes/test',
  'distutils/tests',
  'sqlite3/test',
];
/** pip installs; an app never imports it (`pip`, `pip-23.0.1.dist-info`). */
const PIP = /^pip(?:-[^/]*\.dist-info)?$/;
/** The build files of CPython (`config-3.11-x86_64-linux-gnu`: libpython.a, Makefile) match this. */
const PYTHON_BUILD_FILES = /^config-\d/;
/** Subtrees of a JDK/JRE home a running program never reads. */
const JAVA_HOME_LEFT_OUT = ['jmods', 'lib/src.zip', 'demo', 'sample', 'man'];

export function keepWholeTrees(keep: KeepSet, options: WholeTreeOptions): WholeTree[] {
  const tree = keep.tree;
  const wanted: WholeTree[] = [];
  // Parents before children, so a COPY destination inside the WORKDIR is not a second tree.
  const roots = [...options.appRoots].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const root of roots) {
    const devOnly = options.files
      ? nodeProjects(keep, root.path).flatMap((dir) => devOnlyPackages(dir, options.files!))
      : [];
    const detail =
      devOnly.length > 0
        ? `${root.detail}; without ${devOnly.length} node_modules packages only devDependencies need`
        : root.detail;
    wanted.push({ path: root.path, reason: 'app', detail, excluded: devOnly });
  }
  const reached = [...keep.entries()]
    .filter(([, why]) => why.reason !== 'package')
    .map(([id]) => tree.pathOf(id));
  wanted.push(...runtimeTrees(keep, reached));
  for (const path of options.packages ?? []) {
    wanted.push({
      path,
      reason: 'dependencies',
      detail: 'a package a reached file belongs to',
      excluded: [],
    });
  }
  // Read by listing (CA hash links, loader config): whole, so a new certificate is picked up too.
  for (const path of ESSENTIAL_TREES) {
    wanted.push({ path, reason: 'essential', detail: 'trust and loader configuration', excluded: [] });
  }

  const kept: WholeTree[] = [];
  const seen = new Set<string>();
  for (const whole of wanted) {
    const id = tree.lookup(whole.path);
    if (id < 0 || seen.has(whole.path)) continue;
    // A tree inside one already kept whole adds nothing (a venv inside the app's directory).
    if (
      kept.some(
        (outer) => isBelow(whole.path, outer.path) && !outer.excluded.some((e) => isBelow(whole.path, e)),
      )
    )
      continue;
    seen.add(whole.path);
    // A left-out subtree holding something reached is kept after all.
    const excluded = whole.excluded.filter(
      (path) => tree.lookup(path) >= 0 && !reached.some((kept) => kept === path || isBelow(kept, path)),
    );
    keep.keepPath(whole.path, whole.reason, whole.detail, { followFinal: false });
    const linkTargets: string[] = [];
    if (tree.kindOf(id) === KIND_DIRECTORY) {
      tree.walk((child, path) => {
        if (excluded.includes(path)) return false;
        keep.keepId(child, whole.reason, whole.detail);
        if (tree.kindOf(child) === KIND_SYMLINK) linkTargets.push(path);
        return true;
      }, id);
    }
    // A link inside the tree must still resolve: Debian's sitecustomize.py points into /etc.
    for (const link of linkTargets) keep.keepPath(link, whole.reason, `target of ${link}`);
    kept.push({ ...whole, excluded });
  }
  return kept;
}

/** Directories at most PROJECT_DEPTH below `root`, outside node_modules, holding package.json and node_modules. */
function nodeProjects(keep: KeepSet, root: string): string[] {
  const tree = keep.tree;
  const id = tree.lookup(root);
  if (id < 0 || tree.kindOf(id) !== KIND_DIRECTORY) return [];
  const projects: string[] = [];
  const isProject = (dir: string) =>
    tree.lookup(`${dir}/package.json`) >= 0 && tree.lookup(`${dir}/node_modules`) >= 0;
  if (isProject(root)) projects.push(root);
  tree.walk((child, path, depth) => {
    if (
      tree.kindOf(child) !== KIND_DIRECTORY ||
      tree.nameOf(child) === 'node_modules' ||
      depth > PROJECT_DEPTH
    )
      return false;
    if (isProject(path)) projects.push(path);
    return true;
  }, id);
  return projects;
}

/** The interpreters' trees under what was reached. */
function runtimeTrees(keep: KeepSet, reached: string[]): WholeTree[] {
  const tree = keep.tree;
  const trees: WholeTree[] = [];
  const exists = (path: string) => tree.lookup(path) >= 0;
  const pythons = new Set<string>();
  const javaHomes = new Set<string>();
  const venvs = new Set<string>();
  for (const path of reached) {
    const python = /^(.*)\/lib\/python(\d+\.\d+)(?:\/|$)/.exec(path);
    if (python && exists(`${python[1]}/lib/python${python[2]}/os.py`))
      pythons.add(`${python[1]}/lib/python${python[2]}`);
    const java = /^(.*)\/lib\/(?:modules|server\/libjvm\.so|libjava\.so)$/.exec(path);
    if (java && exists(`${java[1]}/bin/java`)) javaHomes.add(java[1]!);
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) {
      if (exists(`${dir}/pyvenv.cfg`)) {
        venvs.add(dir);
        break;
      }
    }
  }
  for (const stdlib of pythons) {
    const version = posix.basename(stdlib).slice('python'.length);
    const id = tree.lookup(stdlib);
    const buildFiles = tree
      .childrenOf(id)
      .map((child) => tree.nameOf(child))
      .filter((name) => PYTHON_BUILD_FILES.test(name));
    trees.push({
      path: stdlib,
      reason: 'runtime',
      detail: `the Python ${version} standard library and site-packages`,
      excluded: [
        ...[...PYTHON_STDLIB_LEFT_OUT, ...buildFiles].map((name) => `${stdlib}/${name}`),
        ...pipOf(`${stdlib}/site-packages`),
      ],
    });
    // Debian's pip installs into /usr/local/lib/pythonX.Y/dist-packages: the app's dependencies.
    // (Debian's apt packages in /usr/lib/python3/dist-packages are the OS: kept per package reached.)
    const pipTarget = `/usr/local/lib/python${version}/dist-packages`;
    if (exists(pipTarget)) {
      trees.push({
        path: pipTarget,
        reason: 'dependencies',
        detail: `packages pip installed for Python ${version}`,
        excluded: pipOf(pipTarget),
      });
    }
  }
  for (const venv of venvs) {
    const lib = tree.lookup(`${venv}/lib`);
    const sitePackages = (lib < 0 ? [] : tree.childrenOf(lib))
      .map((child) => `${venv}/lib/${tree.nameOf(child)}/site-packages`)
      .filter(exists);
    trees.push({
      path: venv,
      reason: 'dependencies',
      detail: 'the virtual environment',
      excluded: sitePackages.flatMap(pipOf),
    });
  }
  for (const home of javaHomes) {
    trees.push({
      path: home,
      reason: 'runtime',
      detail: 'the Java runtime',
      excluded: JAVA_HOME_LEFT_OUT.map((name) => `${home}/${name}`),
    });
  }
  return trees;

  /** pip's own package in a site-packages directory, as paths to leave out. */
  function pipOf(packages: string): string[] {
    const id = tree.lookup(packages);
    if (id < 0) return [];
    return tree
      .childrenOf(id)
      .map((child) => tree.nameOf(child))
      .filter((name) => PIP.test(name))
      .map((name) => `${packages}/${name}`);
  }
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}
