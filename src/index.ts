/**
 * pare as a library: the functions the `pare` commands run, under the
 * commands' names, with their options and results. The commands add argument
 * parsing, config discovery and printing around the same calls.
 */

// The commands
export { type InspectOptions, type InspectResult, inspectImage as inspect } from './analyze/inspect.js';
// What they take: rules and config, Dockerfiles, images, an engine
export { loadProjectConfig, type ProjectConfig } from './config/project.js';
export { openBuildContext } from './dockerfile/build-context.js';
export * from './dockerfile/index.js';
export { findEngine } from './engine/detect.js';
export type { Engine } from './engine/engine.js';
export { observe, type ProbeSpec, sameBehaviour } from './engine/probe.js';
export { type OpenImageOptions, openImage } from './image/open.js';
export {
  type ImageTarget,
  type WriteImageOptions,
  writeDockerArchiveOf as writeDockerArchive,
  writeImage,
} from './image/sinks/write.js';
export type * from './image/types.js';
export { ARTICLES, type Article, type ArticleKey, citeArticle } from './knowledge/articles.js';
export { type OptimizeOptions, type OptimizeResult, optimize } from './optimize/optimize.js';
// Lower-level rewrites
export { applyEdits } from './rewrite/apply-edits.js';
export { unifiedDiff } from './rewrite/diff.js';
export {
  convertToMultiStage,
  loadConversionContext,
  tryConvertToMultiStage,
} from './rewrite/multistage/index.js';
export { type FixPlan, type PlanOptions as FixOptions, planFixes as fix } from './rewrite/plan.js';
export { allRules, findRule, lintModel } from './rules/index.js';
export {
  type LintedFile,
  type LintFilesOptions as LintOptions,
  type LintResult,
  lintFiles as lint,
} from './rules/lint-files.js';
export type { RuleSettings } from './rules/run.js';
export type {
  BaseImagePolicy,
  BuildContext,
  ContextFile,
  Finding,
  Rule,
  RuleMeta,
  Severity,
  TextEdit,
} from './rules/types.js';
export { type SlimOptions, type SlimResult, slimImage as slim } from './slim/slim.js';
export { PareError } from './util/errors.js';
