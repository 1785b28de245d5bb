/** The text table's "vs original" column says smaller, larger or the same size, never "1.0x smaller". */
import { describe, expect, it } from 'vitest';
import type { CandidateOutcome, OptimizeResult } from '../../src/optimize/optimize.js';
import { renderOptimizeText } from '../../src/report/optimize-text.js';

const up = { summary: 'still running after 5 s', fingerprint: 'up', ok: true };

function candidate(name: string, size: number, extra: Partial<CandidateOutcome> = {}): CandidateOutcome {
  return {
    name,
    dockerfile: 'FROM scratch',
    measurement: { imageId: name, size, layers: 1 },
    probe: up,
    ...extra,
  };
}

function rowOf(text: string, label: string): string {
  return text.split('\n').find((line) => line.startsWith(label))!;
}

describe('optimize text report', () => {
  it.each([
    ['smaller', 200_000_000, '-80.0% (5.0x smaller)'],
    ['larger', 1_100_000_000, '+10.0% (1.1x larger)'],
    ['the same size', 1_000_000_000, '0.0% (same size)'],
  ])('words a %s candidate', (_name, size, expected) => {
    const result: OptimizeResult = {
      schemaVersion: 'pare.optimize/v1',
      directory: '/app',
      dockerfile: '/app/Dockerfile',
      probe: { kind: 'up', seconds: 5 },
      findings: [],
      fixes: [],
      conversion: [],
      candidates: [candidate('original', 1_000_000_000), candidate('optimized', size)],
      chosen: size < 1_000_000_000 ? 'optimized' : 'original',
      contributions: [],
    };
    const row = rowOf(renderOptimizeText(result, { color: false }), 'optimized');
    expect(row).toContain(expected);
    expect(row).not.toContain('1.0x');
  });
});

describe('optimize text report: the closure and candidates not made', () => {
  const base: OptimizeResult = {
    schemaVersion: 'pare.optimize/v1',
    directory: '/app',
    dockerfile: '/app/Dockerfile',
    probe: { kind: 'up', seconds: 5 },
    findings: [],
    fixes: [],
    conversion: [],
    candidates: [candidate('original', 1_000_000_000)],
    chosen: 'original',
    contributions: [],
  };

  it('says why nothing was written when no candidate could even be made', () => {
    const text = renderOptimizeText(
      {
        ...base,
        notMade: [
          'multi-stage conversion: no build pare recognises runs in the image',
          'runtime closure: the image is for windows, not linux',
        ],
      },
      { color: false },
    );
    expect(text).toContain('No candidate could be made, so none was built; nothing was written.');
    expect(text).toContain('  not made: runtime closure: the image is for windows, not linux');
  });

  it('names the keep list it wrote beside a winning closure', () => {
    const text = renderOptimizeText(
      {
        ...base,
        output: '/app/Dockerfile.pare',
        keepList: '/app/Dockerfile.pare.keep',
        candidates: [candidate('original', 1_000_000_000), candidate('closure', 100_000_000)],
        chosen: 'closure',
        conversion: ['final stage FROM scratch with the runtime closure'],
      },
      { color: false },
    );
    expect(text).toContain('  wrote /app/Dockerfile.pare and /app/Dockerfile.pare.keep');
    expect(text).toContain('Runtime closure\n  - final stage FROM scratch with the runtime closure');
  });
});
