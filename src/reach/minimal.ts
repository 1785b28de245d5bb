/**
 * `--minimal`: which paths the app can reach, from two sources united.
 *
 * Static: the entrypoint's programs (through PATH and `sh -c` scripts), the
 * `#!` interpreters of kept scripts, the ELF closure of every kept program and
 * library (elf-closure.ts), the interpreter's own account of the app's imports
 * (python.ts, node.ts), identity/network/trust files (essentials.ts).
 * Dynamic: the original image run under the tracer with the probe
 * (tracer.ts), every path opened, stat'd or exec'd.
 * Then `--include` / `--exclude`. Everything else is removed as unreachable.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { KIND_DIRECTORY, KIND_FILE } from '../analyze/file-tree.js';
import type { FinalTree } from '../analyze/final-tree.js';
import { LineIndex } from '../dockerfile/positions.js';
import { loadShellParser, parseShell } from '../dockerfile/shell.js';
import type { Engine } from '../engine/engine.js';
import { healthcheckArgv, type ProbeObservation, type ProbeSpec } from '../engine/probe.js';
import { imageEnv } from '../image/image-env.js';
import type { ImageConfig, Layer } from '../image/types.js';
import { PareError } from '../util/errors.js';
import { elfClosure } from './elf-closure.js';
import {
  ESSENTIAL_DIRECTORIES,
  ESSENTIAL_FILES,
  ESSENTIAL_TREES,
  isVirtualPath,
  MUSL_PATH_FILE,
  ZONEINFO,
} from './essentials.js';
import { type FileFacts, readFileFacts, shebangOf } from './file-heads.js';
import { KeepSet } from './keep-set.js';
import { parseLdSoConf } from './ld-search.js';
import { nodeEntryOf, resolveNodeGraph } from './node.js';
import type { RemovedFile } from './paths.js';
import {
  bytecodeCandidates,
  checkableModules,
  findPythonModules,
  importProgram,
  type PythonModules,
  pythonEntryOf,
} from './python.js';
import { resolvePath } from './resolve-path.js';
import { scriptUses } from './scripts.js';
import { parseStrace, type TraceEvent } from './strace-parse.js';
import { type TracerBundle, tracedExec, tracedProbe } from './tracer.js';
import { keepWholeTrees, type WholeTree } from './whole-trees.js';

export interface MinimalOptions {
  engine: Engine;
  /** The original image as the engine names it (it is run, never changed). */
  image: string;
  probe: ProbeSpec;
  /** Run the tracer (default true); false keeps static reachability only. */
  trace?: boolean;
  /** Prepared tracer (tracer.ts prepareTracer). Required when tracing. */
  tracer?: TracerBundle;
  /** Scratch directory for trace output. */
  workDir: string;
  include?: string[];
  exclude?: string[];
  /**
   * Keep the closure robust to the app's own changes (optimize's closure final stage): these
   * app directories, the dependency trees and the interpreter's standard library are kept
   * whole (whole-trees.ts). Absent: the minimal level, only what was reached.
   */
  appRoots?: Array<{ path: string; detail: string }>;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface MinimalSelection {
  keep: KeepSet;
  removed: Map<number, RemovedFile>;
  /** What the original did under the tracer with the probe. */
  tracedObservation?: ProbeObservation;
  /** Python apps: the interpreter and the modules the import check imports. */
  python?: { interpreter: string; modules: string[]; workdir: string };
  /** Static analyses that could not answer (the traced run still counts). */
  warnings: string[];
  /** DT_NEEDED names no directory provided (the program fails to start if it needs them). */
  unresolvedLibraries: string[];
  /** With `appRoots`: the trees kept whole, each with what it leaves out. */
  wholeTrees?: WholeTree[];
}

const WHOLE_TREE_REASONS = new Set(['app', 'dependencies', 'runtime', 'essential']);
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SHELLS = /^(sh|bash|dash|ash|busybox)$/;

export async function selectReachable(
  final: FinalTree,
  config: ImageConfig,
  layers: readonly Layer[],
  options: MinimalOptions,
): Promise<MinimalSelection> {
  const { tree } = final;
  const keep = new KeepSet(tree);
  const warnings: string[] = [];
  const env = imageEnv(config);
  const cwd = config.config?.WorkingDir || '/';
  const searchPath = (env.PATH ?? DEFAULT_PATH).split(':').filter(Boolean);
  const progress = options.onProgress ?? (() => {});

  // 1. The command line and the programs it names.
  const argv = [...(config.config?.Entrypoint ?? []), ...(config.config?.Cmd ?? [])];
  const commandLines = await commandLinesOf(argv);
  // The HEALTHCHECK runs in the same container: what it runs must stay (curl, a healthcheck.js, /bin/sh).
  const health = healthcheckArgv(
    config.config?.Healthcheck?.Test
      ? {
          test: config.config.Healthcheck.Test,
          ...(config.config.Shell ? { shell: config.config.Shell } : {}),
        }
      : undefined,
  );
  if (health) commandLines.push(...(await commandLinesOf(health)));
  const findProgram = (word: string): string | undefined => {
    if (word.includes('/')) return posix.resolve(cwd, word);
    for (const dir of searchPath) {
      const candidate = `${dir}/${word}`;
      const resolved = resolvePath(tree, candidate);
      if (resolved.id !== undefined && tree.kindOf(resolved.id) === KIND_FILE) return candidate;
    }
    return undefined;
  };
  const program = argv[0];
  if (program !== undefined) {
    const found = findProgram(program);
    if (!found || resolvePath(tree, found).id === undefined) {
      throw new PareError(
        `the image's command ${JSON.stringify(program)} is not in the image${program.includes('/') ? '' : ` (PATH ${searchPath.join(':')})`}`,
        { subject: options.image },
      );
    }
  }
  const commandPrograms: string[] = [];
  for (const words of commandLines) {
    for (const [index, word] of words.entries()) {
      if (index > 0 && word.startsWith('-')) continue;
      // An argument may be a file (`server.js`) or a program handed on (`dumb-init -- node`, `docker-entrypoint.sh node`).
      const asFile = index === 0 ? undefined : posix.resolve(cwd, word);
      const path =
        index === 0
          ? findProgram(word)
          : asFile && resolvePath(tree, asFile).id !== undefined
            ? asFile
            : !word.includes('/') && !word.includes('=')
              ? findProgram(word)
              : undefined;
      if (!path) continue;
      const detail =
        index === 0 ? `program of the command line (${word})` : `argument of the command line (${word})`;
      const id = keep.keepPath(path, 'entrypoint', detail);
      if (id !== undefined) commandPrograms.push(path);
      if (id !== undefined && tree.kindOf(id) === KIND_DIRECTORY)
        keep.keepSubtree(path, 'entrypoint', detail);
    }
  }

  // 2. File facts (ELF, #!) in the background while the engine runs the analyses.
  progress('reading ELF headers and script interpreters');
  const facts = readFileFacts(layers, final, {
    wanted: (id) => {
      const name = tree.nameOf(id);
      return (tree.modeOf(id) & 0o111) !== 0 || /\.so(\.|$)|\.sh$/.test(name);
    },
    wantedText: (id) => {
      const path = tree.pathOf(id);
      // The app's package.json files tell which node_modules packages production needs.
      const manifest =
        tree.nameOf(id) === 'package.json' &&
        (options.appRoots ?? []).some((root) => path.startsWith(`${root.path}/`));
      return (
        manifest ||
        path === '/etc/ld.so.conf' ||
        path.startsWith('/etc/ld.so.conf.d/') ||
        MUSL_PATH_FILE.test(path)
      );
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  facts.catch(() => undefined);

  // 3. Interpreters' own analyses and the traced run.
  const python = firstOf(commandLines, pythonEntryOf);
  const node = firstOf(commandLines, nodeEntryOf);
  const missingSeen = new Set<string>();
  const traceEvents: TraceEvent[] = [];
  let tracedObservation: ProbeObservation | undefined;
  let pythonFound: PythonModules | undefined;
  const runOptions = { workdir: cwd, ...(options.signal ? { signal: options.signal } : {}) };

  if (python) {
    progress(`asking ${python.interpreter} which modules ${python.script ?? python.module} imports`);
    const found = await findPythonModules(options.engine, options.image, python, runOptions);
    if (found.error) warnings.push(found.error);
    pythonFound = found.result;
  }
  if (node) {
    progress(`resolving the require/import graph of ${node.entry} with ${node.interpreter}`);
    const graph = await resolveNodeGraph(
      options.engine,
      options.image,
      node.interpreter,
      node.entry,
      runOptions,
    );
    if (graph.error) warnings.push(graph.error);
    for (const file of graph.result?.files ?? [])
      keep.keepPath(file, 'node-require', `required from ${node.entry}`);
  }

  const tracing = options.trace !== false;
  if (tracing) {
    if (!options.tracer) throw new Error('selectReachable: tracing needs a prepared tracer');
    progress('running the original under the tracer with the probe');
    const traced = await tracedProbe(
      options.engine,
      options.image,
      config,
      options.probe,
      options.tracer,
      posix.join(options.workDir, 'trace-probe'),
      options.signal ? { signal: options.signal } : {},
    );
    tracedObservation = traced.observation;
    traceEvents.push(...parseStrace(traced.trace).events);
    if (pythonFound && checkableModules(pythonFound).length > 0) {
      // What importing the app's direct imports needs, as the interpreter itself loads it.
      progress(`tracing the import of ${checkableModules(pythonFound).length} modules the app names`);
      const interpreter = python!.interpreter;
      const run = await tracedExec(
        options.engine,
        options.image,
        [interpreter, ...importProgram(checkableModules(pythonFound))],
        options.tracer,
        posix.join(options.workDir, 'trace-imports'),
        runOptions,
      );
      for (const event of parseStrace(run.trace).events)
        traceEvents.push({ ...event, syscall: `import:${event.syscall}` });
    }
  }
  for (const event of traceEvents) {
    const paths = [...event.paths, ...(event.fdPath ? [event.fdPath] : [])];
    for (const path of paths) {
      if (isVirtualPath(path)) continue;
      if (!event.ok) {
        if (event.errno === 'ENOENT') missingSeen.add(path);
        continue;
      }
      const fromImport = event.syscall.startsWith('import:');
      keep.keepPath(
        path,
        fromImport ? 'python-import' : 'traced',
        fromImport ? 'loaded when importing what the app imports' : `${event.syscall} in the traced run`,
      );
    }
  }

  if (pythonFound) {
    for (const file of pythonFound.startup ?? []) {
      keep.keepPath(file, 'python-import', 'loaded by the interpreter at start');
      keepBytecode(keep, file, pythonFound.version, 'a module loaded at start');
    }
    keepPythonCodecs(keep, pythonFound, tracing);
    // Without a tracer, the whole static closure; with it, the app's own modules (the rest came from the traced imports).
    const names = tracing ? pythonFound.app : Object.keys(pythonFound.modules);
    for (const name of names) {
      const file = pythonFound.modules[name];
      if (!file) continue;
      keep.keepPath(file, 'python-import', `module ${name}`);
      keepBytecode(keep, file, pythonFound.version, name);
    }
  }

  // 4. Packages are kept whole once any file of them is reached: lazy requires and data files stay with them.
  const packages = keepWholePackages(keep);

  // 5. Identity, network, trust, time, and the directories programs expect.
  for (const path of ESSENTIAL_FILES) keep.keepPath(path, 'essential', 'identity, network, trust or time');
  for (const path of ESSENTIAL_TREES) keepLinkedTree(keep, path);
  for (const path of [...ESSENTIAL_DIRECTORIES, cwd, ...Object.keys(config.config?.Volumes ?? {})]) {
    keep.keepPath(path, 'essential', 'directory programs expect');
  }
  const zoneTraced = [...keep.entries()].some(
    ([id, why]) =>
      why.reason === 'traced' &&
      tree.pathOf(id).startsWith(`${ZONEINFO}/`) &&
      !tree.pathOf(id).endsWith('/UTC'),
  );
  if (zoneTraced || env.TZ !== undefined || (pythonFound && 'zoneinfo' in pythonFound.modules)) {
    keep.keepSubtree(ZONEINFO, 'essential', 'time zones read by the app');
  }

  // 6. What the command lines' shell scripts run, interpreters of kept scripts, then the ELF
  // closure of every kept program and library.
  const fileFacts = await facts;
  const wholeTrees = options.appRoots
    ? keepWholeTrees(keep, {
        appRoots: options.appRoots,
        packages,
        files: {
          read: (path) => {
            const id = tree.lookup(path);
            return id < 0 ? undefined : fileFacts.texts.get(id);
          },
          list: (path) => {
            const id = tree.lookup(path);
            return id < 0 || tree.kindOf(id) !== KIND_DIRECTORY
              ? undefined
              : tree.childrenOf(id).map((child) => tree.nameOf(child));
          },
        },
      })
    : undefined;
  await keepScriptUses(keep, fileFacts, commandPrograms, findProgram, cwd);
  keepScriptInterpreters(keep, fileFacts, searchPath);
  const unresolvedLibraries = keepElfClosure(keep, fileFacts, env);

  // 7. What the user says neither analysis can see.
  for (const path of options.include ?? []) {
    if (!keep.keepSubtree(path, 'include', '--include')) warnings.push(`--include ${path}: not in the image`);
  }
  if (options.exclude && options.exclude.length > 0) {
    const matches = picomatch(options.exclude, { dot: true });
    keep.drop((path) => matches(path) || matches(path.slice(1)));
  }

  return {
    keep,
    removed: keep.removals(),
    ...(tracedObservation ? { tracedObservation } : {}),
    ...(pythonFound && python
      ? { python: { interpreter: python.interpreter, modules: checkableModules(pythonFound), workdir: cwd } }
      : {}),
    warnings,
    unresolvedLibraries,
    ...(wholeTrees ? { wholeTrees } : {}),
  };
}

/** The command lines the image runs: argv itself, and for `sh -c SCRIPT` each command of the script. */
async function commandLinesOf(argv: string[]): Promise<string[][]> {
  const lines: string[][] = [argv];
  const shell = argv[0] ? posix.basename(argv[0]) : '';
  const at = argv.indexOf('-c');
  if (SHELLS.test(shell) && at > 0 && argv[at + 1] !== undefined) {
    const text = argv[at + 1]!;
    const parser = await loadShellParser();
    const script = parseShell(text, (offset) => offset, { parser, lines: new LineIndex(text), scope: {} });
    for (const command of script.commands) lines.push([command.name, ...command.args]);
  }
  return lines;
}

function firstOf<T>(lines: string[][], find: (words: string[]) => T | undefined): T | undefined {
  for (const words of lines) {
    const found = find(words);
    if (found) return found;
  }
  return undefined;
}

/** Directories that hold one installed package each, below which a reached file keeps its whole package. */
const PACKAGE_ROOTS = [
  /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//,
  /^(\/usr\/share\/nodejs\/(?:@[^/]+\/)?[^/]+)\//,
  /^(.*\/(?:site|dist)-packages\/[^/]+)\//,
];

function keepWholePackages(keep: KeepSet): string[] {
  const tree = keep.tree;
  const roots = new Set<string>();
  for (const [id] of keep.entries()) {
    const path = tree.pathOf(id);
    for (const pattern of PACKAGE_ROOTS) {
      const root = pattern.exec(path)?.[1];
      // `node_modules/@scope` alone is a directory of packages, not one.
      if (root && !/\/@[^/]+$/.test(root)) roots.add(root);
    }
  }
  for (const root of roots) keep.keepSubtree(root, 'package', `a file of this package was reached`);
  return [...roots];
}

/** Keeps a directory's entries and, for symlinks among them, what they point to (certificate hash links). */
function keepLinkedTree(keep: KeepSet, path: string): void {
  const tree = keep.tree;
  const id = tree.lookup(path);
  if (id < 0) return;
  keep.keepPath(path, 'essential', 'identity, network, trust or time');
  tree.walk((_child, childPath) => {
    keep.keepPath(childPath, 'essential', 'identity, network, trust or time');
  }, id);
}

/**
 * The programs and files that the shell scripts of the command lines run and name, and the
 * scripts those run in turn (an entrypoint script that sources an env file and execs gosu).
 */
async function keepScriptUses(
  keep: KeepSet,
  facts: FileFacts,
  programs: string[],
  findProgram: (word: string) => string | undefined,
  cwd: string,
): Promise<void> {
  const tree = keep.tree;
  const queue = [...programs];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const path = queue.shift()!;
    const id = resolvePath(tree, path).id;
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const text = facts.scripts.get(id);
    if (text === undefined) continue;
    const uses = await scriptUses(text);
    const script = tree.pathOf(id);
    for (const word of uses.programs) {
      const found = findProgram(word);
      if (found && keep.keepPath(found, 'script', `run by ${script}`) !== undefined) queue.push(found);
    }
    for (const file of [...uses.paths, ...uses.sourced]) {
      const absolute = posix.resolve(cwd, file);
      if (keep.keepPath(absolute, 'script', `named by ${script}`) !== undefined) queue.push(absolute);
    }
  }
}

function keepScriptInterpreters(keep: KeepSet, facts: FileFacts, searchPath: string[]): void {
  const tree = keep.tree;
  // Scripts inside a tree kept whole run only when something execs them, which the trace sees.
  const queue = [...keep.entries()]
    .filter(([, why]) => !WHOLE_TREE_REASONS.has(why.reason))
    .map(([id]) => id);
  const seen = new Set<number>();
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const bang = shebangOf(facts.heads.get(id));
    if (!bang) continue;
    const script = tree.pathOf(id);
    const targets = [bang.interpreter];
    // `#!/usr/bin/env python3`: env runs its first argument through PATH.
    if (posix.basename(bang.interpreter) === 'env' && bang.argument) {
      const program = bang.argument.split(/\s+/).find((word) => !word.startsWith('-') && !word.includes('='));
      if (program) {
        for (const dir of program.includes('/') ? [''] : searchPath) {
          const candidate = program.includes('/') ? program : `${dir}/${program}`;
          const found = resolvePath(tree, candidate);
          if (found.id !== undefined) {
            targets.push(candidate);
            break;
          }
        }
      }
    }
    for (const target of targets) {
      const found = keep.keepPath(target, 'interpreter', `#! interpreter of ${script}`);
      if (found !== undefined) queue.push(found);
    }
  }
}

function keepElfClosure(keep: KeepSet, facts: FileFacts, env: Record<string, string>): string[] {
  const tree = keep.tree;
  const readText = (path: string) => {
    const id = resolvePath(tree, path).id;
    return id === undefined ? undefined : facts.texts.get(id);
  };
  const listDir = (dir: string) => {
    const id = resolvePath(tree, dir).id;
    return id === undefined ? undefined : tree.childrenOf(id).map((child) => tree.nameOf(child));
  };
  const ldSoConf = parseLdSoConf(readText('/etc/ld.so.conf') ?? '', readText, listDir);
  // musl reads /etc/ld-musl-ARCH.path instead (one directory per line or colon-separated).
  for (const [id, text] of facts.texts) {
    if (MUSL_PATH_FILE.test(tree.pathOf(id)))
      ldSoConf.push(
        ...text
          .split(/[:\n]/)
          .map((d) => d.trim())
          .filter(Boolean),
      );
  }
  const roots: string[] = [];
  for (const [id] of keep.entries()) {
    if (tree.kindOf(id) === KIND_FILE && facts.elf.has(id)) roots.push(tree.pathOf(id));
  }
  const closure = elfClosure({
    roots,
    elfOf: (path) => {
      const id = resolvePath(tree, path).id;
      return id === undefined ? undefined : facts.elf.get(id);
    },
    exists: (path) => resolvePath(tree, path).resolved,
    searchDirs: {
      ldSoConf,
      ldLibraryPath: (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    },
  });
  for (const edge of closure.edges) {
    const detail =
      edge.reason === 'elf-interpreter'
        ? `PT_INTERP of ${edge.from}`
        : `DT_NEEDED ${edge.name ?? ''} of ${edge.from}`;
    keep.keepPath(edge.path, edge.reason, detail);
  }
  return closure.unresolved.map((u) => `${u.name} (needed by ${u.from})`);
}

/** Keeps the `__pycache__` bytecode of a kept Python source. */
function keepBytecode(keep: KeepSet, file: string, version: string, name: string): void {
  const tree = keep.tree;
  const pyc = bytecodeCandidates(file, version);
  if (!pyc) return;
  const dir = tree.lookup(pyc.dir);
  if (dir < 0) return;
  for (const child of tree.childrenOf(dir)) {
    if (tree.nameOf(child).startsWith(`${pyc.prefix}.`))
      keep.keepId(child, 'python-import', `bytecode of ${name}`);
  }
}

/**
 * The `encodings` package is the runtime's support: codecs are imported by
 * name when first used. The tracer sees the common ones imported (python.ts
 * adds them to the traced import); without it, the whole package is kept
 * (2.5 MB on Debian's 3.11), since any codec name may be asked for.
 */
function keepPythonCodecs(keep: KeepSet, found: PythonModules, tracing: boolean): void {
  const init = found.startup.find((file) => file.endsWith('/encodings/__init__.py'));
  if (!init || tracing) return;
  keep.keepSubtree(posix.dirname(init), 'python-import', 'codecs the interpreter imports by name');
}
