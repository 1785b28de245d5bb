/**
 * The loop the seed articles do by hand: lint → fix → build the original →
 * build the rewrite → probe both → measure both → keep the smallest candidate
 * that behaves like the original. Candidates, best first: the full rewrite
 * (rule fixes + multi-stage conversion), then the safe fixes alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { PareConfig } from '../config/schema.js';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { readDockerfile } from '../dockerfile/source.js';
import type { DockerfileModel } from '../dockerfile/types.js';
import type { Engine } from '../engine/engine.js';
import { BuildFailedError } from '../engine/errors.js';
import { observe, type ProbeObservation, type ProbeSpec, sameBehaviour } from '../engine/probe.js';
import type { KeepSet } from '../reach/keep-set.js';
import { convertToMultiStage, tryConvertToMultiStage } from '../rewrite/multistage/index.js';
import type { ConversionResult } from '../rewrite/multistage/types.js';
import { fixConversion, planFixes } from '../rewrite/plan.js';
import type { RuleSettings } from '../rules/run.js';
import type { Finding, Rule } from '../rules/types.js';
import { PareError } from '../util/errors.js';
import { closureCandidate, deriveClosure, OPTIMIZE_LABEL } from './closure.js';
import { keepListPath, topLevelNames, withKeepListIncluded } from './closure-files.js';
import { configuredBasesUsed, requireConfiguredBases } from './configured-bases.js';
import { sharedLibrariesOf } from './shared-libraries.js';
import { type StagedFile, stageFile } from './staged-file.js';
import { installedPackages, packageFiles, unreachedPackages, withoutPackages } from './unreached-packages.js';

/** 'original', 'safe' (rule fixes only), 'optimized', or 'optimized-2'… for further rewrites. */
export type CandidateName = string;

export interface Measurement {
  imageId: string;
  /** Bytes as `docker images` reports them. */
  size: number;
  layers: number;
  /**
   * Bytes each build step added (`docker history`), bottom to top; steps that added no bytes
   * (ENV, CMD…) are left out. Absent when the engine's history could not be read.
   */
  layerSizes?: Array<{ size: number; createdBy: string }>;
}

export interface CandidateOutcome {
  name: CandidateName;
  /** The Dockerfile text built for this candidate. */
  dockerfile: string;
  measurement?: Measurement;
  probe?: ProbeObservation;
  /** Where the candidate broke; absent when it built and passed. */
  failure?: { step: 'build' | 'probe' | 'size'; message: string; log?: string[] };
  /** Built only to attribute savings, not probed. */
  attributionOnly?: boolean;
  /** What the candidate's rewrite did, one line each. */
  notes?: string[];
  /** The closure candidate's keep list: where it is written and its text. */
  keepList?: { path: string; text: string };
  /** The .dockerignore this candidate was built with, when it is its own. */
  dockerignore?: string;
}

export interface OptimizeResult {
  schemaVersion: 'pare.optimize/v1';
  directory: string;
  dockerfile: string;
  /** Where the optimized Dockerfile was written (undefined when nothing better was found). */
  output?: string;
  /** The keep list written beside it, when the runtime closure won. */
  keepList?: string;
  probe: ProbeSpec;
  findings: Finding[];
  /** Rule fixes applied, one line each. */
  fixes: string[];
  /** What the multi-stage conversion did, one line each. */
  conversion: string[];
  dockerignore?: { path: string; added: string[]; bytesExcluded: number };
  candidates: CandidateOutcome[];
  chosen: CandidateName;
  /** Savings attributed to each change, when the intermediate image was measured. */
  contributions: Array<{ change: string; bytes: number }>;
  /** Kinds of candidate that were not made, each with why (one line each). */
  notMade?: string[];
}

export interface OptimizeOptions {
  /** Project directory (build context). */
  directory: string;
  /** Dockerfile path; default DIRECTORY/Dockerfile. */
  dockerfile?: string;
  /** Output path; default next to the Dockerfile as Dockerfile.pare. */
  output?: string;
  /** Replace the original Dockerfile (and write .dockerignore) instead of writing beside it. */
  replace?: boolean;
  multiStage: boolean;
  /** Make the runtime-closure candidate (default true). */
  closure?: boolean;
  probe: ProbeSpec;
  /** How long an HTTP probe waits for an answer (default 30 s). */
  probeTimeoutMs?: number;
  config: PareConfig;
  /** Where the config came from, for messages about its entries. */
  configPath?: string;
  rules: readonly Rule[];
  settings: RuleSettings;
  engine: Engine;
  /** Keep the built images, tagged pare/<name>:original|safe|optimized. */
  keepImages?: boolean;
  /** Measure the safe-fixes image too, to split the saving between changes (one extra build). */
  attribute?: boolean;
  onStep?: (message: string) => void;
  onBuildLine?: (line: string) => void;
  signal?: AbortSignal;
}

export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const step = options.onStep ?? (() => {});
  const dockerfilePath = options.dockerfile ?? join(options.directory, 'Dockerfile');
  const source = await readDockerfile(dockerfilePath);
  const filePath = source.filePath!;
  const model = await parseDockerfile(source.text, filePath);
  const buildContext = await openBuildContext(options.directory, basename(filePath));
  const lintOptions = {
    rules: options.rules,
    settings: options.settings,
    buildContext,
    policy: { allowed: options.config.allowedBaseImages ?? [] },
  };

  step('linting and fixing');
  const plan = await planFixes(model, { ...lintOptions, dockerfilePath: filePath });
  const safeText = plan.dockerfile.after;
  // Rewrites, best first. Java gets a jlink'd runtime first (a third of a JRE), then a JRE.
  const rewrites: Array<{ text: string; notes: string[] }> = [];
  const staticLinking = options.config.optimize?.staticLinking;
  let dynamicConversion: ConversionResult | undefined;
  /** Why the multi-stage conversion does not apply (e.g. no runtime base in the catalogue), when it does not. */
  let notApplied: string | undefined;
  if (options.multiStage) {
    const contextFiles = await buildContext.files();
    for (const variant of [{ jlink: true }, {}]) {
      const outcome = tryConvertToMultiStage(plan.model, {
        contextFiles,
        contextDirectory: options.directory,
        allowedBases: lintOptions.policy.allowed,
        ...(staticLinking !== undefined ? { staticLinking } : {}),
        ...variant,
      });
      if (!outcome.converted && !variant.jlink) notApplied = outcome.reason;
      const converted = outcome.converted ? outcome.result : undefined;
      if (!converted || (variant.jlink && converted.ecosystem !== 'java')) continue;
      const { fix, notes } = await fixConversion(converted, filePath, lintOptions);
      if (fix.fixed === safeText || rewrites.some((rewrite) => rewrite.text === fix.fixed)) continue;
      rewrites.push({ text: fix.fixed, notes });
    }
    // Native code that cannot (or must not) link statically: the glibc-dynamic build, whose exact
    // libraries are read from the built binary once the static candidates have failed.
    const dynamic = convertToMultiStage(plan.model, {
      contextFiles,
      contextDirectory: options.directory,
      allowedBases: lintOptions.policy.allowed,
      staticLinking: false,
    });
    if (dynamic && (dynamic.ecosystem === 'c' || dynamic.ecosystem === 'rust')) dynamicConversion = dynamic;
    if (dynamicConversion) notApplied = undefined;
    if (notApplied) step(`multi-stage conversion not applied: ${notApplied}; trying the rule fixes alone`);
  }

  // A base the user's config names must be in the engine (or pullable) before anything is built.
  const rewriteModels = await Promise.all(rewrites.map((rewrite) => parseDockerfile(rewrite.text, filePath)));
  await requireConfiguredBases(
    options.engine,
    configuredBasesUsed(options.config.baseImages, model, rewriteModels),
    options.configPath,
    { onStep: step, ...(options.signal ? { signal: options.signal } : {}) },
  );

  const workdir = await mkdtemp(join(tmpdir(), 'pare-optimize-'));
  const tagBase = `pare-optimize/${slug(options.directory)}`;
  const candidates: CandidateOutcome[] = [];
  /** Why a kind of candidate was not made, one line each (shown when nothing was written). */
  const notMade: string[] = notApplied ? [`multi-stage conversion: ${notApplied}`] : [];
  const output = options.replace
    ? filePath
    : (options.output ?? join(dirname(filePath), `${basename(filePath)}.pare`));
  let stagedKeepList: StagedFile | undefined;
  try {
    const dockerignoreText = plan.dockerignore?.after;
    const buildCandidate = async (
      name: CandidateName,
      text: string,
      dockerignore: string | undefined = dockerignoreText,
    ): Promise<Measurement> => {
      const candidatePath = name === 'original' ? filePath : join(workdir, `Dockerfile.${name}`);
      if (name !== 'original') {
        await writeFile(candidatePath, text);
        // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile: the user's .dockerignore is not touched.
        if (dockerignore !== undefined) await writeFile(`${candidatePath}.dockerignore`, dockerignore);
      }
      step(
        `building ${name === 'original' ? 'the original' : `the ${name === 'safe' ? 'safe fixes' : name} Dockerfile`}`,
      );
      const built = await options.engine.build({
        context: options.directory,
        dockerfile: candidatePath,
        tag: `${tagBase}:${name}`,
        temporary: !options.keepImages,
        labels: { [OPTIMIZE_LABEL]: name },
        ...(options.onBuildLine ? { onProgress: options.onBuildLine } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const inspect = await options.engine.imageInspect(built.imageId);
      const measurement: Measurement = {
        imageId: built.imageId,
        size: inspect.Size,
        layers: inspect.RootFS.Layers?.length ?? 0,
      };
      // Per-layer sizes are for the report's chart only: a history the engine cannot give leaves them out.
      const history = await options.engine.history(built.imageId).catch(() => undefined);
      if (history) {
        measurement.layerSizes = history
          .filter((h) => h.size > 0)
          .reverse()
          .map((h) => ({ size: h.size, createdBy: h.createdBy }));
      }
      return measurement;
    };

    /** Builds one stage of a Dockerfile text (to read what it holds), temporary. */
    const buildStage = async (text: string, stage: string, dockerignore = dockerignoreText) => {
      const file = join(workdir, `Dockerfile.stage-${slug(stage)}`);
      await writeFile(file, text);
      if (dockerignore !== undefined) await writeFile(`${file}.dockerignore`, dockerignore);
      const { imageId } = await options.engine.build({
        context: options.directory,
        dockerfile: file,
        target: stage,
        temporary: true,
        labels: { [OPTIMIZE_LABEL]: `stage-${stage}` },
        ...(options.onBuildLine ? { onProgress: options.onBuildLine } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return imageId;
    };

    /** The app's Dockerfile without the system packages whose files nothing the app runs reaches. */
    const unusedPackagesRewrite = async (app: { model: DockerfileModel; imageId: string }, keep: KeepSet) => {
      const installed = installedPackages(app.model);
      if (installed.length === 0) return undefined;
      step('asking the package manager which files the installed packages hold');
      const files = await packageFiles(options.engine, app.imageId, installed, options.signal);
      if (!files) return undefined;
      const unused = unreachedPackages(keep, installed, files);
      const text = unused.length > 0 ? withoutPackages(app.model, unused) : undefined;
      if (!text) return undefined;
      const names = unused.map((p) => p.name).join(', ');
      return {
        text,
        notes: [
          `not installed: ${names} (nothing the app, its scripts or its HEALTHCHECK ran reached their files)`,
        ],
      };
    };

    /** Builds the dynamic conversion's builder stage, asks its loader what the binary needs, converts with exactly that. */
    const exactLibrariesRewrite = async (dynamic: ConversionResult) => {
      const builderName = (await parseDockerfile(dynamic.text, filePath)).stages[0]?.name;
      const binary = dynamic.artifact.find((path) => !path.startsWith('/etc/ssl/'));
      if (!builderName || !binary) return undefined;
      step("building the dynamic builder to read the binary's shared libraries");
      let imageId: string;
      try {
        imageId = await buildStage(dynamic.text, builderName);
      } catch (error) {
        if (error instanceof BuildFailedError) return undefined;
        throw error;
      }
      const libraries = await sharedLibrariesOf(options.engine, imageId, binary);
      if (!libraries || libraries.length === 0) return undefined;
      const exact = convertToMultiStage(plan.model, {
        contextFiles: await buildContext.files(),
        contextDirectory: options.directory,
        allowedBases: lintOptions.policy.allowed,
        staticLinking: false,
        sharedLibraries: libraries,
      });
      if (!exact) return undefined;
      const { fix, notes } = await fixConversion(exact, filePath, lintOptions);
      return { text: fix.fixed, notes };
    };

    // 1. The original must build and pass its own probe; otherwise nothing can be compared.
    let originalMeasurement: Measurement;
    try {
      originalMeasurement = await buildCandidate('original', source.text);
    } catch (error) {
      if (error instanceof BuildFailedError) {
        throw new PareError(
          `the original Dockerfile fails to build before any change by pare: ${error.message.replace(/^.*?: /, '')}`,
          {
            subject: filePath,
          },
        );
      }
      throw error;
    }
    step('probing the original');
    const originalProbe = await observe(
      options.engine,
      originalMeasurement.imageId,
      options.probe,
      probeOptions(options),
    );
    candidates.push({
      name: 'original',
      dockerfile: source.text,
      measurement: originalMeasurement,
      probe: originalProbe,
    });
    if (!originalProbe.ok) {
      const logs = originalProbe.logTail ? `\n${indentLog(originalProbe.logTail)}` : '';
      throw new PareError(
        `the original image does not pass the probe, so there is nothing to compare a candidate with: ${originalProbe.error ?? originalProbe.summary}${logs}`,
        { subject: filePath },
      );
    }
    if (originalProbe.health?.state === 'unhealthy')
      step(
        `note: the original never became healthy (${originalProbe.health.detail}); candidates are not asked`,
      );
    const candidateProbe = {
      ...probeOptions(options),
      ...(originalProbe.health?.state === 'healthy' ? {} : { expectHealthy: false }),
    };

    /** Builds and probes one candidate; its outcome says where it broke, if it did. */
    const tryCandidate = async (
      name: CandidateName,
      text: string,
      notes: string[],
      dockerignore: string | undefined = dockerignoreText,
    ): Promise<CandidateOutcome> => {
      const outcome: CandidateOutcome = { name, dockerfile: text, ...(notes.length > 0 ? { notes } : {}) };
      candidates.push(outcome);
      try {
        outcome.measurement = await buildCandidate(name, text, dockerignore);
      } catch (error) {
        if (!(error instanceof BuildFailedError)) throw error;
        outcome.failure = { step: 'build', message: error.message, log: error.output.slice(-15) };
        step(`the ${name} Dockerfile failed to build; trying the others`);
        return outcome;
      }
      step(`probing the ${name} image`);
      outcome.probe = await observe(
        options.engine,
        outcome.measurement.imageId,
        options.probe,
        candidateProbe,
      );
      const verdict = sameBehaviour(originalProbe, outcome.probe);
      if (!verdict.same) {
        outcome.failure = {
          step: 'probe',
          message: `behaves differently: ${verdict.why}`,
          ...(outcome.probe.logTail ? { log: outcome.probe.logTail.split('\n') } : {}),
        };
        step(`the ${name} image did not pass the probe; trying the others`);
        return outcome;
      }
      if (outcome.measurement.size > originalMeasurement.size) {
        outcome.failure = {
          step: 'size',
          message: `larger than the original (${outcome.measurement.size} > ${originalMeasurement.size} bytes)`,
        };
      }
      return outcome;
    };

    // 2. The safe rule fixes: a candidate of their own, and the image the closure is read from.
    let appSource = { text: source.text, model, imageId: originalMeasurement.imageId };
    if (safeText !== source.text || dockerignoreText !== undefined) {
      const safe = await tryCandidate('safe', safeText, []);
      if (safe.measurement && safe.failure?.step !== 'build' && safe.failure?.step !== 'probe') {
        appSource = { text: safeText, model: plan.model, imageId: safe.measurement.imageId };
      }
    }

    // 3. The multi-stage conversions, best first (a jlink'd runtime before a JRE, static before dynamic).
    type Producer = () => Promise<{ text: string; notes: string[] } | undefined>;
    const conversions: Array<[CandidateName, Producer]> = rewrites.map((rewrite, index) => [
      index === 0 ? 'optimized' : `optimized-${index + 1}`,
      async () => rewrite,
    ]);
    if (dynamicConversion) {
      const conversion = dynamicConversion;
      const exact: [CandidateName, Producer] = ['optimized-dynamic', () => exactLibrariesRewrite(conversion)];
      // Static first by default; with staticLinking: false the exact libraries on scratch beat a glibc base.
      if (staticLinking === false) conversions.unshift(exact);
      else conversions.push(exact);
    }
    for (const [name, produce] of conversions) {
      const produced = await produce();
      if (!produced || produced.text === source.text) continue;
      await tryCandidate(name, produced.text, produced.notes);
    }

    // 4. What the app reaches, from whatever the Dockerfile is: the runtime closure on an empty
    // base, and the packages the shipped stage installs that nothing reaches, removed.
    if (options.closure !== false) {
      const keepPath = keepListPath(options.directory, output);
      const closureInput = {
        engine: options.engine,
        imageId: appSource.imageId,
        model: appSource.model,
        context: options.directory,
        contextTopLevel: await topLevelNames(buildContext),
        keepPath,
        keepFileName: basename(keepPath),
        probe: options.probe,
        allowedBases: lintOptions.policy.allowed,
        workdir,
        buildStage: (stage: string) => buildStage(appSource.text, stage),
        onStep: step,
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const derived = await deriveClosure(closureInput);
      if ('reason' in derived) {
        notMade.push(`runtime closure: ${derived.reason}`);
        step(`runtime closure not made: ${derived.reason}`);
      } else {
        const closure = await closureCandidate({ ...closureInput, derived: derived.derived });
        if (!closure.made) {
          notMade.push(`runtime closure: ${closure.reason}`);
          step(`runtime closure not made: ${closure.reason}`);
        } else {
          stagedKeepList = await stageFile(keepPath, closure.candidate.keepText);
          const ignore = withKeepListIncluded(
            dockerignoreText ?? buildContext.dockerignore,
            relative(options.directory, keepPath).split(sep).join('/'),
          );
          const outcome = await tryCandidate(
            'closure',
            closure.candidate.text,
            closure.candidate.notes,
            ignore,
          );
          outcome.keepList = { path: keepPath, text: closure.candidate.keepText };
          if (ignore !== undefined) outcome.dockerignore = ignore;
        }
        const unused = await unusedPackagesRewrite(appSource, derived.derived.selection.keep);
        if (unused) await tryCandidate('unused-packages', unused.text, unused.notes);
      }
    }

    // 5. The smallest candidate that built, behaves the same and is not bigger wins.
    let chosen: CandidateName = 'original';
    let winner: CandidateOutcome | undefined;
    for (const candidate of candidates) {
      if (candidate.name === 'original' || candidate.failure || !candidate.measurement) continue;
      if (!winner || candidate.measurement.size < winner.measurement!.size) winner = candidate;
    }
    if (winner) chosen = winner.name;
    let conversion: string[] = notApplied ? [`not applied: ${notApplied}`] : [];
    if (winner && winner.name !== 'safe') conversion = winner.notes ?? [];

    // 6. Attribution: the saving of the rule fixes, then of the change that won.
    const contributions: OptimizeResult['contributions'] = [];
    const safeMeasured = candidates.find((c) => c.name === 'safe' && c.measurement);
    if (winner?.measurement && winner.name !== 'safe') {
      if (safeMeasured?.measurement) {
        contributions.push({
          change: `rule fixes (${plan.applied.length}) and .dockerignore`,
          bytes: originalMeasurement.size - safeMeasured.measurement.size,
        });
        contributions.push({
          change: CHANGE_OF[winner.name] ?? 'multi-stage conversion and smaller base',
          bytes: safeMeasured.measurement.size - winner.measurement.size,
        });
      } else {
        contributions.push({
          change: 'all changes',
          bytes: originalMeasurement.size - winner.measurement.size,
        });
      }
    } else if (winner?.measurement) {
      contributions.push({
        change: 'all changes',
        bytes: originalMeasurement.size - winner.measurement.size,
      });
    }

    // 7. Write the winner beside the original (or over it when asked); never touch anything else.
    let written: string | undefined;
    if (winner) {
      const { writeFileAtomic } = await import('../util/atomic-write.js');
      written = output;
      await writeFileAtomic(output, winner.dockerfile);
      const ignore = winner.dockerignore ?? dockerignoreText;
      if (ignore !== undefined) {
        await writeFileAtomic(
          options.replace
            ? (plan.dockerignore?.path ?? join(options.directory, '.dockerignore'))
            : `${output}.dockerignore`,
          ignore,
        );
      }
      if (winner.name === 'closure') stagedKeepList?.commit();
    }

    return {
      schemaVersion: 'pare.optimize/v1',
      directory: options.directory,
      dockerfile: filePath,
      ...(written ? { output: written } : {}),
      ...(winner?.keepList ? { keepList: winner.keepList.path } : {}),
      probe: options.probe,
      findings: plan.findings,
      fixes: plan.applied.map((finding) => `${finding.ruleId}: ${finding.message}`),
      conversion,
      ...(plan.dockerignore
        ? {
            dockerignore: {
              path: plan.dockerignore.path,
              added: plan.dockerignore.added,
              bytesExcluded: plan.dockerignore.bytesExcluded,
            },
          }
        : {}),
      candidates,
      chosen,
      contributions,
      ...(notMade.length > 0 ? { notMade } : {}),
    };
  } finally {
    // A keep list whose candidate did not win goes (what was there before comes back).
    await stagedKeepList?.discard();
    await rm(workdir, { recursive: true, force: true });
  }
}

/** What a winning candidate changed, for the savings table (conversions otherwise). */
const CHANGE_OF: Record<string, string> = {
  closure: 'runtime closure on an empty base',
  'unused-packages': 'packages nothing reached, not installed',
};

function indentLog(text: string): string {
  return text
    .split('\n')
    .map((line) => `  │ ${line}`)
    .join('\n');
}

function probeOptions(options: OptimizeOptions) {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.probeTimeoutMs !== undefined ? { timeoutMs: options.probeTimeoutMs } : {}),
  };
}

function slug(directory: string): string {
  const name = basename(directory.replace(/\/+$/, '')) || 'project';
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'project'
  );
}
