/**
 * The detector enum of the inspect report's schema (schemas/inspect-v1.json,
 * `findings[].detector`), generated from the detector registry so a new
 * detector cannot be missing from it. The rest of that schema is written by
 * hand, so only the enum's lines are rewritten. scripts/config-schema.ts
 * (`npm run schema:config`) writes it; a test fails when it is stale.
 */
import { DETECTORS } from '../analyze/detectors/index.js';

const DETECTOR_ENUM = /("detector": \{\n(\s*)"enum": \[\n)[\s\S]*?(\n\s*\])/;

/** `schemaText` with the detector enum listing every detector, in registry order. */
export function withDetectorEnum(schemaText: string): string {
  const match = DETECTOR_ENUM.exec(schemaText);
  if (!match) throw new Error('the inspect report schema has no "detector" enum to rewrite');
  const indent = `${match[2]}  `;
  const items = DETECTORS.map((detector) => `${indent}${JSON.stringify(detector.id)}`).join(',\n');
  return schemaText.replace(
    DETECTOR_ENUM,
    (_all, head: string, _indent: string, tail: string) => `${head}${items}${tail}`,
  );
}
