/**
 * Gate for tests that need a real engine and the pare-base images
 * (.ci/provision-engine.sh provides both). With PARE_ENGINE_TESTS=1 (CI) a
 * missing engine is a failure that says what is missing; without it the tests
 * are skipped, so `vitest run --project engine` works on a laptop without Docker.
 */
import { describe, it } from 'vitest';
import { findEngine } from '../../src/engine/detect.js';
import type { Engine } from '../../src/engine/engine.js';

export const REQUIRED = process.env.PARE_ENGINE_TESTS === '1';
export const BASE_IMAGE = 'pare-base/debian:bookworm';

export interface EngineGate {
  engine: Engine | undefined;
  /** Why the tests cannot run, when they cannot. */
  missing: string | undefined;
}

export async function engineGate(): Promise<EngineGate> {
  let engine: Engine;
  try {
    engine = await findEngine();
  } catch (error) {
    return { engine: undefined, missing: (error as Error).message };
  }
  if (!(await engine.imageExists(BASE_IMAGE))) {
    return { engine: undefined, missing: `${BASE_IMAGE} is not in the engine (run .ci/provision-engine.sh)` };
  }
  return { engine, missing: undefined };
}

/** describe() that runs with an engine, fails without one when REQUIRED, and skips otherwise. */
export function describeWithEngine(name: string, gate: EngineGate, body: (engine: Engine) => void): void {
  if (gate.engine) {
    const engine = gate.engine;
    describe(name, () => body(engine));
  } else if (REQUIRED) {
    describe(name, () => {
      it('has a container engine (PARE_ENGINE_TESTS=1)', () => {
        throw new Error(`PARE_ENGINE_TESTS=1 but ${gate.missing}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${gate.missing})`, () => {
      it('needs a container engine', () => {});
    });
  }
}
