/**
 * The proof that a slim image still works: the same probe on the original and
 * the slim image (engine/probe.ts), plus, for Python apps, the stricter check
 * that every module the app's code imports still imports. When the proof
 * fails, a traced run of the slim image names what it looked for and no
 * longer has.
 */
import { posix } from 'node:path';
import type { FileTree } from '../analyze/file-tree.js';
import type { Engine } from '../engine/engine.js';
import { observe, type ProbeObservation, type ProbeSpec, sameBehaviour } from '../engine/probe.js';
import type { ImageConfig } from '../image/types.js';
import { isVirtualPath } from '../reach/essentials.js';
import { importCheck } from '../reach/python.js';
import { resolvePath } from '../reach/resolve-path.js';
import { parseStrace } from '../reach/strace-parse.js';
import { type TracerBundle, tracedProbe } from '../reach/tracer.js';
import type { SlimReport } from './report.js';

export interface ProofInput {
  engine: Engine;
  original: string;
  slim: string;
  probe: ProbeSpec;
  /** Python apps: modules to import in both images. */
  python?: { interpreter: string; modules: string[]; workdir: string };
  /** An earlier proof against the same original: what the original did is reused, not run again. */
  previous?: Proof;
  signal?: AbortSignal;
}

export interface Proof {
  ok: boolean;
  original: ProbeObservation;
  slim: ProbeObservation;
  /** The import check's answer in the original (Python apps). */
  originalImports?: ImportCheck;
  section: NonNullable<SlimReport['probe']>;
}

type ImportCheck = Awaited<ReturnType<typeof importCheck>>;

function describeProbe(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'cmd':
      return `--probe-cmd ${JSON.stringify(spec.args.join(' '))}`;
    case 'http':
      return `--probe-http :${spec.port}${spec.path}`;
    case 'up':
      return `--probe-up ${spec.seconds}`;
  }
}

export async function prove(input: ProofInput): Promise<Proof> {
  const signal = input.signal ? { signal: input.signal } : {};
  const original =
    input.previous?.original ?? (await observe(input.engine, input.original, input.probe, signal));
  // The HEALTHCHECK is part of the proof when the original became healthy under the probe.
  const healthy = original.health?.state === 'healthy';
  const slim = await observe(input.engine, input.slim, input.probe, {
    ...signal,
    ...(healthy ? {} : { expectHealthy: false }),
  });
  const verdict = sameBehaviour(original, slim);
  const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
  if (healthy) {
    checks.push({
      name: 'healthcheck',
      ok: slim.health?.state === 'healthy',
      detail: `original: ${original.health!.detail}; slim: ${slim.health?.detail ?? 'not asked (the container was gone)'}`,
    });
  }
  let originalImports: ImportCheck | undefined;
  if (input.python && input.python.modules.length > 0) {
    const options = { workdir: input.python.workdir, ...signal };
    const [before, after] = await Promise.all([
      input.previous?.originalImports ??
        importCheck(input.engine, input.original, input.python.interpreter, input.python.modules, options),
      importCheck(input.engine, input.slim, input.python.interpreter, input.python.modules, options),
    ]);
    originalImports = before;
    const importable = input.python.modules.filter((name) => before.failed && !(name in before.failed));
    const broken = after.failed ? importable.filter((name) => name in after.failed!) : importable;
    checks.push({
      name: 'python-imports',
      ok: after.error === undefined && broken.length === 0,
      detail:
        after.error ??
        (broken.length === 0
          ? `all ${importable.length} modules the app imports import in the slim image`
          : `${broken.length} of ${importable.length} modules no longer import: ${broken
              .slice(0, 5)
              .map((name) => `${name} (${after.failed![name]})`)
              .join(', ')}`),
    });
  }
  const ok = original.ok && verdict.same && checks.every((check) => check.ok);
  return {
    ok,
    original,
    slim,
    ...(originalImports ? { originalImports } : {}),
    section: {
      spec: describeProbe(input.probe),
      original: original.summary,
      slim: slim.summary,
      same: verdict.same,
      ...(verdict.why ? { why: verdict.why } : {}),
      ...(checks.length > 0 ? { checks } : {}),
    },
  };
}

/**
 * Runs the slim image under the tracer with the probe and lists the paths it
 * failed to find that the original image has: what the minimal image lacks.
 */
export async function missingPaths(
  engine: Engine,
  slim: string,
  config: ImageConfig,
  probe: ProbeSpec,
  tracer: TracerBundle,
  outDir: string,
  originalTree: FileTree,
  signal?: AbortSignal,
): Promise<string[]> {
  const run = await tracedProbe(engine, slim, config, probe, tracer, outDir, signal ? { signal } : {}).catch(
    () => undefined,
  );
  if (!run) return [];
  const missing = new Set<string>();
  for (const event of parseStrace(run.trace).events) {
    if (event.ok || event.errno !== 'ENOENT') continue;
    for (const path of event.paths) {
      if (isVirtualPath(path) || missing.has(path)) continue;
      if (resolvePath(originalTree, posix.normalize(path)).id !== undefined) missing.add(path);
    }
  }
  return [...missing].sort();
}
