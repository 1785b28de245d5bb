import { expect } from 'vitest';
import type { CandidateOutcome, OptimizeResult } from '../../src/optimize/optimize.js';

/**
 * The original and the candidate `pare optimize` kept, after checking the
 * original passed its probe and the kept one answered it the same way.
 */
export function keptAndOriginal(result: OptimizeResult): {
  original: CandidateOutcome;
  kept: CandidateOutcome;
} {
  const original = result.candidates.find((c) => c.name === 'original')!;
  const kept = result.candidates.find((c) => c.name === result.chosen && !c.attributionOnly)!;
  expect(original.probe?.ok).toBe(true);
  expect(kept.probe?.fingerprint).toBe(original.probe?.fingerprint);
  return { original, kept };
}
