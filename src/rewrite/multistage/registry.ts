/**
 * The ecosystem converters: for each ecosystem in knowledge/build-ecosystems
 * (which says how it is detected), the function that plans its builder stage
 * and chooses its final stage. The Record type makes an ecosystem without a
 * converter a compile error; the driver (index.ts) asks only this registry.
 */
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import { BUILD_ECOSYSTEMS, type BuildSignals } from '../../knowledge/build-ecosystems.js';
import { convertC } from './c.js';
import { convertGo } from './go.js';
import { convertJava } from './java.js';
import { convertNode } from './node.js';
import { convertPython } from './python.js';
import { convertRust } from './rust.js';
import type { ConversionOptions, ConversionOutcome, ConvertibleEcosystem } from './types.js';

export type Convert = (model: DockerfileModel, stage: Stage, options: ConversionOptions) => ConversionOutcome;

export interface EcosystemConverter extends BuildSignals {
  /** A single stage that builds and ships: a builder stage on its base plus a final stage with the artifact. */
  convert: Convert;
}

const CONVERT: Record<ConvertibleEcosystem, Convert> = {
  go: convertGo,
  rust: convertRust,
  c: convertC,
  java: convertJava,
  node: convertNode,
  python: convertPython,
};

export const CONVERTERS: readonly EcosystemConverter[] = BUILD_ECOSYSTEMS.map((signals) => ({
  ...signals,
  convert: CONVERT[signals.ecosystem],
}));

export function converterFor(ecosystem: ConvertibleEcosystem): EcosystemConverter {
  return CONVERTERS.find((converter) => converter.ecosystem === ecosystem)!;
}
