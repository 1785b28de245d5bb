/**
 * A candidate of pare optimize and how it came out: built, measured, probed,
 * or where it broke. Shared by the loop and the strategies that propose
 * candidates.
 */
import type { ProbeObservation } from '../engine/probe.js';

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
