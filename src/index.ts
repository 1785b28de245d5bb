/**
 * pare as a library: the same building blocks the CLI wires together.
 * Source → model → analysis → action → output.
 */

export { type InspectResult, inspectImage } from './analyze/inspect.js';
export { applyConfig } from './config/apply.js';
// Configuration and errors
export { loadConfig } from './config/load.js';
export { openBuildContext } from './dockerfile/build-context.js';
// Dockerfile model and lint
export * from './dockerfile/index.js';
// Engine and the optimize loop
export { findEngine } from './engine/detect.js';
export type { Engine } from './engine/engine.js';
export { observe, type ProbeSpec, sameBehaviour } from './engine/probe.js';
export { openImage } from './image/open.js';
// Images
export type * from './image/types.js';
export { type OptimizeResult, optimize } from './optimize/optimize.js';
// Rewrites
export { applyEdits } from './rewrite/apply-edits.js';
export { unifiedDiff } from './rewrite/diff.js';
export { type FixResult, fixDockerfile } from './rewrite/fix.js';
export { convertToMultiStage, tryConvertToMultiStage } from './rewrite/multistage/index.js';
export { type FixPlan, planFixes } from './rewrite/plan.js';
export { allRules, findRule, lintModel } from './rules/index.js';
export { type LintResult, lintFiles } from './rules/lint-files.js';
export type {
  BuildContext,
  ContextFile,
  Finding,
  Rule,
  RuleMeta,
  Severity,
  TextEdit,
} from './rules/types.js';
export { slimImage } from './slim/slim.js';
export { PareError } from './util/errors.js';
