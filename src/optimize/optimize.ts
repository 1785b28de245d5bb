/**
 * The loop the articles in knowledge/articles do by hand: lint → fix → build
 * the original → build the rewrite → probe both → measure both → keep the
 * smallest candidate that behaves like the original. Candidates: the rule fixes
 * alone, then each strategy's (strategies/): the multi-stage conversions of the
 * ecosystem registry, then the runtime closure and the unreached packages
 * removed. This module owns the loop; the strategies own what to try.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { PareConfig } from '../config/schema.js';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { readDockerfile } from '../dockerfile/source.js';
import type { Engine } from '../engine/engine.js';
import { BuildFailedError } from '../engine/errors.js';
import { observe, type ProbeSpec, sameBehaviour } from '../engine/probe.js';
import { planFixes } from '../rewrite/plan.js';
import type { RuleSettings } from '../rules/run.js';
import type { Finding, Rule } from '../rules/types.js';
import { PareError } from '../util/errors.js';
import type { CandidateName, CandidateOutcome, Measurement } from './candidate.js';
import { OPTIMIZE_LABEL } from './closure.js';
import { configuredBasesUsed, requireConfiguredBases } from './configured-bases.js';
import { type StagedFile, stageFile } from './staged-file.js';
import { closureCandidates } from './strategies/closure.js';
import {
  type ConversionInput,
  type ConversionPlan,
  conversionCandidates,
  planConversions,
} from './strategies/conversions.js';
import type { CandidateSession, CandidateStream } from './strategies/strategy.js';

export type { CandidateName, CandidateOutcome, Measurement } from './candidate.js';

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
  // The multi-stage conversions are planned first: the bases they name must be there before any build.
  const contextFiles = await buildContext.files();
  const conversionInput: ConversionInput = {
    model: plan.model,
    safeText,
    filePath,
    directory: options.directory,
    contextFiles,
    lintOptions,
    allowedBases: lintOptions.policy.allowed,
    ...(options.config.optimize?.staticLinking !== undefined
      ? { staticLinking: options.config.optimize.staticLinking }
      : {}),
  };
  const conversions: ConversionPlan = options.multiStage
    ? await planConversions(conversionInput)
    : { rewrites: [] };
  const notApplied = conversions.notApplied;
  if (notApplied) step(`multi-stage conversion not applied: ${notApplied}; trying the rule fixes alone`);

  // A base the user's config names must be in the engine (or pullable) before anything is built.
  const rewriteModels = await Promise.all(
    conversions.rewrites.map((rewrite) => parseDockerfile(rewrite.text, filePath)),
  );
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

    // 3–4. Candidates from each strategy, best first: the multi-stage conversions of the
    // ecosystem registry, then what the app reaches from whatever the Dockerfile is.
    const session: CandidateSession = {
      engine: options.engine,
      directory: options.directory,
      filePath,
      buildContext,
      dockerignore: dockerignoreText,
      output,
      app: appSource,
      probe: options.probe,
      allowedBases: lintOptions.policy.allowed,
      lintOptions,
      workdir,
      buildStage: (text, stage) => buildStage(text, stage),
      notMade: (line) => notMade.push(line),
      step,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const strategies: CandidateStream[] = [];
    if (options.multiStage) strategies.push(conversionCandidates(conversions, conversionInput, session));
    if (options.closure !== false) strategies.push(closureCandidates(session));
    for (const strategy of strategies) {
      let outcome: CandidateOutcome | undefined;
      for (;;) {
        const next = await strategy.next(outcome);
        if (next.done) break;
        const spec = next.value;
        if (spec.text === source.text) {
          outcome = undefined;
          continue;
        }
        if (spec.keepList) {
          await stagedKeepList?.discard();
          stagedKeepList = await stageFile(spec.keepList.path, spec.keepList.text);
        }
        outcome = await tryCandidate(spec.name, spec.text, spec.notes, spec.dockerignore ?? dockerignoreText);
        if (spec.keepList) outcome.keepList = spec.keepList;
        if (spec.dockerignore !== undefined) outcome.dockerignore = spec.dockerignore;
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
      if (winner.keepList) stagedKeepList?.commit();
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
