/**
 * Python's own account of what an app imports: `modulefinder` run by the
 * image's interpreter on the app's script (or `-m` module), in a container of
 * the original image, so the answer uses the image's sys.path, stdlib and
 * site-packages. It follows imports statically, including the ones a probe
 * never triggers (an `import sqlite3` inside a request handler).
 *
 * The same interpreter later checks the slim image: every module found that
 * imports in the original must import in the slim image.
 */
import { posix } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { runInterpreter } from './interpreter-run.js';

export interface PythonEntry {
  /** The interpreter word as written (`python3`) and its resolved path in the image. */
  interpreter: string;
  script?: string;
  module?: string;
}

const PYTHON = /^python(\d+(\.\d+)?)?$/;
/** Interpreter options that take a value (`-W ignore`), so the value is not read as the script. */
const WITH_VALUE = new Set(['-W', '-X', '-Q']);

/** Finds `python3 [options] script.py` or `python -m pkg` in a command line. */
export function pythonEntryOf(words: readonly string[]): PythonEntry | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!PYTHON.test(posix.basename(word))) continue;
    for (let j = i + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '-m') return words[j + 1] ? { interpreter: word, module: words[j + 1]! } : undefined;
      if (arg === '-c') return undefined;
      if (WITH_VALUE.has(arg)) {
        j++;
        continue;
      }
      if (arg.startsWith('-')) continue;
      return { interpreter: word, script: arg };
    }
    return undefined;
  }
  return undefined;
}

const FINDER_SCRIPT = `
import sys
startup = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
import json, modulefinder, os
target, kind = sys.argv[1], sys.argv[2]
path = list(sys.path)
if kind == "script":
    path[0] = os.path.dirname(os.path.abspath(target))
    finder = modulefinder.ModuleFinder(path)
    finder.run_script(target)
else:
    path[0] = os.getcwd()
    finder = modulefinder.ModuleFinder(path)
    finder.import_hook(target)
    try:
        finder.import_hook(target + ".__main__")
    except ImportError:
        pass
# Codecs are imported by name when first used (socket.getfqdn needs idna): no import statement names them.
support = []
for codec in ("idna", "punycode", "utf_8", "utf_8_sig", "ascii", "latin_1", "charmap", "cp1252",
              "raw_unicode_escape", "unicode_escape", "utf_16", "utf_32"):
    try:
        finder.import_hook("encodings." + codec)
        support.append("encodings." + codec)
    except ImportError:
        pass
modules = {}
for name, module in finder.modules.items():
    if module.__file__:
        modules[name] = os.path.abspath(module.__file__)
# The app's own modules, and the modules their code names directly.
import ast
prefix = os.path.join(path[0], "")
app = {n: f for n, f in modules.items() if n == "__main__" or f.startswith(prefix)}
direct = set()
for name, file in app.items():
    if not file.endswith(".py"):
        continue
    package = name if finder.modules[name].__path__ else name.rpartition(".")[0]
    try:
        tree = ast.parse(open(file, "rb").read())
    except (SyntaxError, ValueError, OSError):
        continue
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            direct.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = base + ("." + node.module if node.module else "")
            else:
                module = node.module or ""
            direct.add(module)
            direct.update(module + "." + alias.name for alias in node.names)
print("PARE-MODULES " + json.dumps({
    "modules": modules,
    "app": sorted(app),
    "support": support,
    "startup": sorted(os.path.abspath(f) for f in startup if f),
    "direct": sorted(d for d in direct if d in finder.modules and d not in app),
    "packages": sorted(n for n, m in finder.modules.items() if m.__path__),
    "appDir": path[0],
    "executable": os.path.realpath(sys.executable),
    "version": "%d%d" % sys.version_info[:2],
}))
`;

export interface PythonModules {
  /** Module name → absolute file (`.py`, `.so`, or a package's `__init__.py`): the whole static closure. */
  modules: Record<string, string>;
  /** The app's own modules (`__main__` and those under appDir). */
  app: string[];
  /** Files of the modules the interpreter had loaded before running anything (site, encodings, io…). */
  startup: string[];
  /** Runtime support modules no import names (codecs looked up by name), imported and checked with the app's. */
  support: string[];
  /** Modules the app's own code imports by name (not the app's): what the import check imports. */
  direct: string[];
  packages: string[];
  /** The directory the app's own modules live in (the script's directory or the working directory). */
  appDir: string;
  executable: string;
  /** `311` for Python 3.11: names the `__pycache__/NAME.cpython-311.pyc` files. */
  version: string;
}

/** Runs modulefinder in the image. Undefined (with the reason) when the interpreter could not answer. */
export async function findPythonModules(
  engine: Engine,
  image: string,
  entry: PythonEntry,
  options: { workdir?: string; signal?: AbortSignal } = {},
): Promise<{ result?: PythonModules; error?: string }> {
  const target = entry.script ?? entry.module!;
  const answer = await runInterpreter<PythonModules>(engine, {
    image,
    interpreter: entry.interpreter,
    args: ['-c', FINDER_SCRIPT, target, entry.script ? 'script' : 'module'],
    marker: 'PARE-MODULES',
    ...options,
  });
  return answer.failure === undefined
    ? { result: answer.value }
    : { error: `modulefinder on ${target} failed: ${answer.failure}` };
}

/** Modules never imported by a check: they act on import (open a browser, print, start a GUI). */
const NOT_CHECKED =
  /^(__main__|this|antigravity|idlelib|tkinter|turtle|turtledemo|lib2to3|test|pydoc_data)(\.|$)/;

/**
 * The modules the import check imports: those the app's code names, not the
 * app's own (importing those may start it) nor the ones that act on import.
 */
export function checkableModules(found: PythonModules): string[] {
  return [...found.direct, ...(found.support ?? [])].filter((name) => !NOT_CHECKED.test(name));
}

/** The `-c` program that imports modules given as arguments and prints which failed. */
export function importProgram(modules: readonly string[]): string[] {
  return ['-c', IMPORT_SCRIPT, ...modules];
}

const IMPORT_SCRIPT = `
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as error:
        failed[name] = "%s: %s" % (type(error).__name__, error)
print("PARE-IMPORTS " + json.dumps(failed))
`;

/** Imports each module in a container of `image`; returns the ones that failed, with the error. */
export async function importCheck(
  engine: Engine,
  image: string,
  interpreter: string,
  modules: readonly string[],
  options: { workdir?: string; signal?: AbortSignal } = {},
): Promise<{ failed?: Record<string, string>; error?: string }> {
  const answer = await runInterpreter<Record<string, string>>(engine, {
    image,
    interpreter,
    args: importProgram(modules),
    marker: 'PARE-IMPORTS',
    anyExitCode: true,
    ...options,
  });
  return answer.failure === undefined
    ? { failed: answer.value }
    : { error: `the import check could not run: ${answer.failure}` };
}

/** `__pycache__/NAME.cpython-311*.pyc` beside `/x/NAME.py`: what the interpreter reads instead of compiling. */
export function bytecodeCandidates(
  file: string,
  version: string,
): { dir: string; prefix: string } | undefined {
  if (!file.endsWith('.py')) return undefined;
  const dir = posix.dirname(file);
  const stem = posix.basename(file, '.py');
  return { dir: `${dir}/__pycache__`, prefix: `${stem}.cpython-${version}` };
}
