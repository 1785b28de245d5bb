/**
 * The ecosystem converters: for each ecosystem in knowledge/build-ecosystems
 * (which says how it is detected), the hooks that check its build can be
 * followed, plan its builder stage and choose its final stage (converter.ts
 * runs them). The Record type makes an ecosystem without a converter a
 * compile error; the driver (index.ts) asks only this registry.
 */
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import { BUILD_ECOSYSTEMS, type BuildSignals } from '../../knowledge/build-ecosystems.js';
import { cConverter } from './c.js';
import { type ConverterHooks, runConverter } from './converter.js';
import { goConverter } from './go.js';
import { javaConverter } from './java.js';
import { nodeConverter } from './node.js';
import { pythonConverter } from './python.js';
import { rustConverter } from './rust.js';
import type { ConversionOptions, ConversionOutcome, ConvertibleEcosystem } from './types.js';

export interface EcosystemConverter extends BuildSignals {
  hooks: ConverterHooks<unknown, unknown>;
  /** A single stage that builds and ships: a builder stage on its base plus a final stage with the artifact. */
  convert(model: DockerfileModel, stage: Stage, options: ConversionOptions): ConversionOutcome;
}

const HOOKS: Record<ConvertibleEcosystem, ConverterHooks<unknown, unknown>> = {
  go: goConverter,
  rust: rustConverter,
  c: cConverter,
  java: javaConverter,
  node: nodeConverter,
  python: pythonConverter,
};

export const CONVERTERS: readonly EcosystemConverter[] = BUILD_ECOSYSTEMS.map((signals) => {
  const hooks = HOOKS[signals.ecosystem];
  return {
    ...signals,
    hooks,
    convert: (model, stage, options) => runConverter(signals.ecosystem, hooks, model, stage, options),
  };
});

export function converterFor(ecosystem: ConvertibleEcosystem): EcosystemConverter {
  return CONVERTERS.find((converter) => converter.ecosystem === ecosystem)!;
}
