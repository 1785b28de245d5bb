/**
 * How optimize asks for candidates: each strategy (the ecosystem conversions
 * of the multi-stage registry, the runtime closure) yields Dockerfiles best
 * first, and the loop in optimize.ts builds, probes and measures each the same
 * way. A strategy learns how a candidate came out from what `yield` returns,
 * so a later candidate can depend on an earlier one.
 */

import type { DockerfileModel } from '../../dockerfile/types.js';
import type { Engine } from '../../engine/engine.js';
import type { ProbeSpec } from '../../engine/probe.js';
import type { LintOptions } from '../../rules/run.js';
import type { BuildContext } from '../../rules/types.js';
import type { CandidateName, CandidateOutcome } from '../optimize.js';

/** A Dockerfile to build and probe. */
export interface CandidateSpec {
  name: CandidateName;
  text: string;
  /** What its rewrite did, one line each. */
  notes: string[];
  /** Its own .dockerignore text; otherwise the rule fixes' one. */
  dockerignore?: string;
  /** A file the Dockerfile reads from the context (the closure's keep list), written only if it wins. */
  keepList?: { path: string; text: string };
}

/** What every strategy may read and use while optimize runs. */
export interface CandidateSession {
  engine: Engine;
  /** The build context directory. */
  directory: string;
  /** The user's Dockerfile. */
  filePath: string;
  buildContext: BuildContext;
  /** The rule fixes' .dockerignore text, when they wrote one. */
  dockerignore: string | undefined;
  /** Where the winner will be written. */
  output: string;
  /** The app as built: the rule fixes applied when they built and passed, else the original. */
  app: { text: string; model: DockerfileModel; imageId: string };
  probe: ProbeSpec;
  /** The team's allowed final bases (empty: any). */
  allowedBases: readonly string[];
  lintOptions: LintOptions;
  /** Scratch space, removed when optimize ends. */
  workdir: string;
  /** Builds one stage of a Dockerfile text, temporary, and returns its image ID. */
  buildStage(text: string, stage: string): Promise<string>;
  /** A kind of candidate was not made: why, in one line. */
  notMade(line: string): void;
  step(message: string): void;
  signal?: AbortSignal;
}

/** Yields candidates; each `yield` returns how the last one came out (undefined when it was skipped). */
export type CandidateStream = AsyncGenerator<CandidateSpec, void, CandidateOutcome | undefined>;
