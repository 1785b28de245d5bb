/**
 * The one answer to "which ecosystem builds here, and which one runs": for
 * each ecosystem pare converts to a multi-stage build, the commands that build
 * its artifact, the programs that start its apps, and whether what it builds
 * is a native binary. The lint rule `single-stage-build`, the multi-stage
 * converters' driver and the final-base replacement all read this table, so
 * they cannot disagree about what a Go build or a Node app is.
 */
import type { ShellCommand } from '../dockerfile/types.js';
import {
  isCargoBuild,
  isCompilerLink,
  isGoBuild,
  isJavaBuild,
  isMakeLike,
  isNodeBuild,
  isNodeCommand,
  isPythonCommand,
} from './build-commands.js';
import { ecosystem } from './ecosystems.js';

export type BuildEcosystem = 'go' | 'rust' | 'c' | 'java' | 'node' | 'python';

export interface BuildSignals {
  ecosystem: BuildEcosystem;
  /** Builds the ecosystem's artifact: compiles, links, packages, bundles. */
  builds(command: ShellCommand): boolean;
  /**
   * The build names its tool so plainly that it outranks what the container
   * starts: a `go build` in a Node image still makes a Go binary.
   */
  buildOutranksStart: boolean;
  /**
   * For native ecosystems: the command writes a binary whose output path can
   * be followed to a COPY (go build, cargo build, cc -o; not make, which hides it).
   */
  linksBinary?(command: ShellCommand): boolean;
  /** The start program (a basename) that runs this ecosystem's apps. */
  starts?: RegExp;
  /** Shows the ecosystem is in use without building: its dependency installs and tools. */
  uses?(command: ShellCommand): boolean;
}

const never = (): boolean => false;

/** In the order detection asks them; see `detectBuildEcosystem`. */
export const BUILD_ECOSYSTEMS: readonly BuildSignals[] = [
  { ecosystem: 'go', builds: isGoBuild, buildOutranksStart: true, linksBinary: isGoBuild },
  { ecosystem: 'rust', builds: isCargoBuild, buildOutranksStart: true, linksBinary: isCargoBuild },
  {
    ecosystem: 'c',
    builds: (command) => isCompilerLink(command) || isMakeLike(command),
    // make also drives Node native addons and Python extensions: what the container starts decides first.
    buildOutranksStart: false,
    linksBinary: isCompilerLink,
  },
  { ecosystem: 'java', builds: isJavaBuild, buildOutranksStart: false, starts: /^java$/ },
  {
    ecosystem: 'node',
    builds: isNodeBuild,
    buildOutranksStart: false,
    starts: /^(?:node|nodejs|npm|yarn|pnpm|npx)$/,
    uses: (command) => isNodeCommand(command) || ecosystem('node').installs(command),
  },
  {
    ecosystem: 'python',
    builds: never,
    buildOutranksStart: false,
    starts: /^(?:python[\d.]*|gunicorn|uvicorn|flask|celery|hypercorn|daphne|waitress-serve)$/,
    uses: isPythonCommand,
  },
];

/** The ecosystem whose artifact this command builds, if any. */
export function buildOf(command: ShellCommand): BuildSignals | undefined {
  return BUILD_ECOSYSTEMS.find((signals) => signals.builds(command));
}

/** The native ecosystem whose binary this command writes to a path a COPY can follow. */
export function nativeBinaryBuildOf(command: ShellCommand): BuildSignals | undefined {
  return BUILD_ECOSYSTEMS.find((signals) => signals.linksBinary?.(command));
}

/**
 * Which ecosystem a stage belongs to, from its commands and the program it
 * starts (a basename): an unmistakable build first, then the start program,
 * then any build, then any sign of use.
 */
export function detectBuildEcosystem(
  commands: readonly ShellCommand[],
  startProgram: string,
): BuildEcosystem | undefined {
  const found =
    BUILD_ECOSYSTEMS.find((s) => s.buildOutranksStart && commands.some(s.builds)) ??
    BUILD_ECOSYSTEMS.find((s) => s.starts?.test(startProgram)) ??
    BUILD_ECOSYSTEMS.find((s) => commands.some(s.builds)) ??
    BUILD_ECOSYSTEMS.find((s) => s.uses !== undefined && commands.some(s.uses));
  return found?.ecosystem;
}

/**
 * The interpreted or JVM ecosystem of a final image that builds nothing
 * itself: by the program it starts, else by the catalogue's word for its base.
 */
export function runtimeEcosystemOf(
  startProgram: string,
  baseEcosystem: string | undefined,
): BuildEcosystem | undefined {
  const runtimes = BUILD_ECOSYSTEMS.filter((signals) => signals.linksBinary === undefined);
  return (
    runtimes.find((signals) => signals.starts?.test(startProgram)) ??
    runtimes.find((signals) => signals.ecosystem === baseEcosystem)
  )?.ecosystem;
}
