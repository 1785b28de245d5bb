/**
 * `pare slim`'s workflow: open the original, slim it (with `--minimal`, keep
 * only what a run of the app reaches), write it, load it into the engine and
 * prove it behaves like the original; when a minimal image fails its proof,
 * fall back to the leftovers level. Everything it learns goes out through
 * `onEvent` as it happens and comes back in the result; the CLI only renders.
 * What it created (loaded images, temporary directories) is removed before it
 * returns.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processCleanup, temporaryDirectory } from '../engine/cleanup.js';
import type { Engine } from '../engine/engine.js';
import type { ProbeSpec } from '../engine/probe.js';
import { openImage } from '../image/open.js';
import { familiarDockerReference, localImagePaths, parseImageReference } from '../image/reference.js';
import { type FileTransport, type ImageTarget, writeImage } from '../image/sinks/write.js';
import type { Image } from '../image/types.js';
import { type MinimalSelection, selectReachable } from '../reach/minimal.js';
import { prepareTracer } from '../reach/tracer.js';
import type { SlimHtmlView } from '../report/slim-html.js';
import { PareError } from '../util/errors.js';
import { loadImageIntoEngine } from './engine-load.js';
import { missingPaths, type Proof, prove } from './prove.js';
import { buildSlimReport, type SlimReport } from './report.js';
import { type SlimOptions, type SlimResult, slimImage } from './slim.js';

export type SlimOutputTarget = Extract<ImageTarget, { transport: FileTransport }>;

export interface SlimWorkflowOptions {
  /** The image to slim, as `openImage` reads it. */
  reference: string;
  /** Where to write the slim image. */
  target?: SlimOutputTarget;
  /** Load the slim image into the engine under this name (and probe it). */
  tag?: string;
  /** Load and probe even without a tag (a temporary name, removed afterwards). */
  verify?: boolean;
  /** Keep only what a run of the app reaches (needs an engine). */
  minimal?: boolean;
  include?: string[];
  exclude?: string[];
  /** Trace the app's run under the probe with `--minimal` (default true). */
  trace?: boolean;
  probe: ProbeSpec;
  /** Keep a slim image that behaves differently (default: removed). */
  keepFailed?: boolean;
  /** How the layers are rewritten (`remove`, `layers`, compression, …). */
  slim?: Omit<SlimOptions, 'select' | 'signal'>;
  /** Build the report (JSON, HTML). */
  report?: boolean;
  platform?: string;
  /** How long a registry image may take to read. */
  timeoutMs?: number;
  /** The engine, when one is needed (verify, minimal); default: none is found. */
  findEngine?: () => Promise<Engine>;
  onEvent?: (event: SlimEvent) => void;
  signal?: AbortSignal;
}

/** What happened, in order, for a renderer to print as it happens. */
export type SlimEvent =
  /** What an earlier run could not remove because its engine died. */
  | { kind: 'stale-removed'; names: string[] }
  | { kind: 'progress'; message: string }
  /** A long step starting; the command line shows these on a terminal only. */
  | { kind: 'step'; message: string }
  | { kind: 'warning'; message: string }
  /** The slim image was written (and loaded); printed once per attempt. */
  | { kind: 'written'; result: SlimResult }
  | { kind: 'minimal-kept'; kept: number; keptByReason: Record<string, { files: number; bytes: number }> }
  | { kind: 'loaded'; name: string }
  | { kind: 'not-probed' }
  /** The minimal image failed its proof... */
  | { kind: 'minimal-failed'; reason: string; logTail?: string }
  /** ...and the leftovers level comes next; `missing`: what a traced run of it looked for. */
  | { kind: 'fallback'; missing: string[] }
  | {
      kind: 'probed';
      sizes: { original: number; slim: number };
      proof: Proof;
    }
  | { kind: 'differs'; reason: string; logTail?: string; removed: boolean };

export interface SlimWorkflowResult {
  /** undefined when not probed. */
  same?: boolean;
  /** With `report`. */
  report?: SlimReport;
  /** What the HTML report draws besides the report. */
  view: SlimHtmlView;
}

export async function runSlimWorkflow(options: SlimWorkflowOptions): Promise<SlimWorkflowResult> {
  const emit = options.onEvent ?? (() => {});
  const { reference, target, tag, probe } = options;
  const verify = tag !== undefined || options.verify === true;
  const minimal = options.minimal === true;
  const signal = options.signal ?? processCleanup.signal;
  const inputs = localImagePaths(reference);

  const engine = (verify || minimal) && options.findEngine ? await options.findEngine() : undefined;
  if ((verify || minimal) && !engine) {
    throw new PareError('loading and probing the slim image needs a container engine', {
      subject: reference,
    });
  }
  const stale = engine ? await engine.removeStale().catch(() => [] as string[]) : [];
  if (stale.length > 0) emit({ kind: 'stale-removed', names: stale });
  const image = await openImage(reference, {
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const cleanups: Array<() => Promise<unknown>> = [];
  let result: SlimResult | undefined;
  let workDir: string | undefined;
  try {
    const config = await image.config();
    const original = engine ? await runnableOriginal(reference, image, engine, cleanups, signal) : undefined;
    if (minimal && !original) {
      throw new PareError('--minimal runs the image to see what it uses, and the engine could not load it', {
        subject: reference,
      });
    }
    if (minimal) {
      const temporary = await temporaryDirectory('pare-minimal-');
      workDir = temporary.path;
      cleanups.push(() => temporary.handle.runNow());
    }
    const tracer =
      minimal && options.trace !== false ? await prepareTracer(workDir!, config.architecture) : undefined;
    let selection: MinimalSelection | undefined;
    const progress = (message: string) => emit({ kind: 'progress', message });
    const step = (message: string) => emit({ kind: 'step', message });
    const attempt = (level: 'minimal' | 'other') =>
      slimImage(image, {
        ...options.slim,
        signal,
        onStep: step,
        ...(level === 'minimal'
          ? {
              select: async (final, imageConfig, imageLayers) => {
                selection = await selectReachable(final, imageConfig, imageLayers, {
                  engine: engine!,
                  image: original!,
                  probe,
                  trace: tracer !== undefined,
                  ...(tracer ? { tracer } : {}),
                  workDir: workDir!,
                  include: options.include ?? [],
                  exclude: options.exclude ?? [],
                  onProgress: progress,
                  signal,
                });
                const chosen = selection;
                return { removed: chosen.removed, isKept: (id: number) => chosen.keep.has(id) };
              },
            }
          : {}),
      });

    result = await attempt(minimal ? 'minimal' : 'other');
    if (selection) {
      for (const warning of selection.warnings) emit({ kind: 'warning', message: warning });
      for (const name of selection.unresolvedLibraries)
        emit({ kind: 'warning', message: `library not found: ${name}` });
      if (selection.tracedObservation && !selection.tracedObservation.ok) {
        throw new PareError(
          `the app does not pass the probe when traced: ${selection.tracedObservation.error ?? selection.tracedObservation.summary}`,
          { subject: reference },
        );
      }
    }
    const slimName = tag ?? `pare-slim/verify:${randomBytes(6).toString('hex')}`;
    const publish = async (current: SlimResult) => {
      if (target) {
        step(`writing ${target.transport}:${target.path}`);
        await writeImage(target, current.image, {
          inputs,
          subject: `--output ${target.transport}:${target.path}`,
        });
      }
      if (!engine || !verify) return;
      step(`loading it into the engine as ${slimName}`);
      await writeImage({ transport: 'docker-daemon', name: slimName }, current.image, {
        engine,
        tempDir: current.workDir,
      });
    };
    await publish(result);
    if (engine && verify && !tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
    emit({ kind: 'written', result });

    let minimalSection: SlimReport['minimal'];
    if (selection) {
      minimalSection = { level: 'minimal', ...selection.keep.report() };
      emit({
        kind: 'minimal-kept',
        kept: minimalSection.kept.length,
        keptByReason: minimalSection.keptByReason,
      });
    }
    let probeSection: SlimReport['probe'];
    let same: boolean | undefined;
    if (engine && verify) {
      emit({ kind: 'loaded', name: slimName });
      if (!original) emit({ kind: 'not-probed' });
      else {
        let proof = await prove({
          engine,
          original,
          slim: slimName,
          probe,
          ...(selection?.python ? { python: selection.python } : {}),
        });
        if (!proof.original.ok) {
          throw new PareError(
            `the original does not pass the probe: ${proof.original.error ?? proof.original.summary}`,
            { subject: reference },
          );
        }
        if (!proof.ok && selection && minimalSection) {
          const reason = describeFailure(proof);
          emit({
            kind: 'minimal-failed',
            reason,
            ...(proof.slim.logTail ? { logTail: proof.slim.logTail } : {}),
          });
          const missing = tracer
            ? await missingPaths(
                engine,
                slimName,
                config,
                probe,
                tracer,
                join(workDir!, 'trace-slim'),
                selection.keep.tree,
              )
            : [];
          emit({ kind: 'fallback', missing });
          await result.dispose();
          result = await attempt('other');
          await publish(result);
          emit({ kind: 'written', result });
          minimalSection = {
            ...minimalSection,
            level: 'leftovers',
            fallbackReason: reason,
            ...(missing.length > 0 ? { missing } : {}),
          };
          proof = await prove({
            engine,
            original,
            slim: slimName,
            probe,
            previous: proof,
            ...(selection.python ? { python: selection.python } : {}),
          });
        }
        const sizes = await Promise.all([engine.imageInspect(original), engine.imageInspect(slimName)]);
        const engineSize = { original: sizes[0].Size, slim: sizes[1].Size };
        probeSection = { ...proof.section, engineSize };
        emit({ kind: 'probed', sizes: engineSize, proof });
        same = proof.ok;
        if (!proof.ok) {
          const removed = !options.keepFailed;
          if (removed) {
            if (tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
            if (target) cleanups.push(() => rm(target.path, { recursive: true, force: true }));
          }
          emit({
            kind: 'differs',
            reason: describeFailure(proof),
            removed,
            ...(proof.slim.logTail ? { logTail: proof.slim.logTail } : {}),
          });
        }
      }
    }
    const report = options.report
      ? buildSlimReport(reference, result, await image.layers(), {
          ...(config.history ? { history: config.history } : {}),
          ...(minimalSection ? { minimal: minimalSection } : {}),
          ...(probeSection ? { probe: probeSection } : {}),
        })
      : undefined;
    return {
      ...(same !== undefined ? { same } : {}),
      ...(report ? { report } : {}),
      view: result.treeMap ? { tree: result.treeMap } : {},
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await result?.dispose();
    await image.close();
  }
}

/** One line saying why the slim image does not behave like the original. */
function describeFailure(proof: Proof): string {
  if (!proof.section.same) return proof.section.why ?? `probe: ${proof.slim.summary}`;
  const failed = (proof.section.checks ?? []).filter((check) => !check.ok);
  return failed.map((check) => `${check.name}: ${check.detail}`).join('; ');
}

/**
 * The original as the engine can run it: a docker-daemon image by name; a
 * docker-archive is loaded (and removed again when pare loaded it).
 */
async function runnableOriginal(
  reference: string,
  image: Image,
  engine: Engine,
  cleanups: Array<() => Promise<unknown>>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const inEngine = await originalInEngine(reference, engine);
  if (inEngine) return inEngine;
  const parsed = (() => {
    try {
      return parseImageReference(reference);
    } catch {
      return undefined;
    }
  })();
  if (parsed?.transport === 'docker-archive') {
    const id = await image.configDigest();
    if (await engine.imageExists(id)) return id;
    await engine.load(parsed.path);
    cleanups.push(() => engine.removeImage(id, { force: true }));
    return id;
  }
  // OCI layouts and archives, registry images: copy the stored layers into an archive the engine loads.
  const { path: dir, handle } = await temporaryDirectory('pare-original-');
  try {
    const id = await loadImageIntoEngine(engine, image, dir, signal);
    cleanups.push(() => engine.removeImage(id, { force: true }));
    return id;
  } finally {
    await handle.runNow();
  }
}

async function originalInEngine(reference: string, engine: Engine): Promise<string | undefined> {
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(reference);
  } catch {
    return undefined;
  }
  if (parsed.transport === 'docker-daemon') {
    const name = parsed.name ? familiarDockerReference(parsed.name) : parsed.imageId;
    return name && (await engine.imageExists(name)) ? name : undefined;
  }
  return undefined;
}
