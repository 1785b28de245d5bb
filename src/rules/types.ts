/**
 * A rule is data plus one function (after ESLint's rule modules): `meta`
 * describes it, `check` returns findings for a parsed Dockerfile. Rules never
 * print and never touch files; fixes are text edits the rewrite layer applies.
 */
import type { DockerfileModel, SourceRange } from '../dockerfile/types.js';
import type { Article } from '../knowledge/articles.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_ORDER: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

export interface RuleMeta {
  /** Stable kebab-case id, used in ignores, config and docs/rules/ID.md. */
  id: string;
  /** One line: what is wrong, in general terms. */
  title: string;
  severity: Severity;
  /** Whether `pare fix` can fix (some of) its findings automatically. */
  fixable: boolean;
  /** The articles the technique comes from (knowledge/articles), cited on the rule's page. */
  articles: readonly Article[];
  /**
   * `image`: the rule judges the bytes of the image that ships, so it stays
   * silent when the target is a development image (a devcontainer, a `dev`,
   * `test` or `lint` stage). `build`: it judges the build itself (caching,
   * the context sent, whether the result starts), whatever the target.
   */
  judges: 'image' | 'build';
  /**
   * hadolint's codes for the same problem: `# hadolint ignore=DL3009` and a
   * `.hadolint.yaml` that ignores DL3009 turn this rule off there too.
   */
  hadolint?: readonly string[];
}

/** Replace `[start, end)` offsets of the Dockerfile text with `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface SavingEstimate {
  bytes: number;
  /** Always true for lint: nothing has been built. Explains how it was estimated. */
  basis: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** One line, specific to this occurrence. */
  message: string;
  range: SourceRange;
  /** Estimated bytes the image would lose if fixed. */
  saving?: SavingEstimate;
  /** Edits `pare fix` would apply; absent when this occurrence needs a human. */
  fix?: TextEdit[];
  /** How to fix it, when no automatic fix exists or as extra advice. */
  hint?: string;
}

/** What a rule reports: the runner fills in ruleId and default severity. */
export type RuleFinding = Omit<Finding, 'ruleId' | 'severity'> & { severity?: Severity };

export interface ContextFile {
  /** Path relative to the build context, `/`-separated. */
  path: string;
  size: number;
  isDirectory: boolean;
  /** Whether .dockerignore excludes it from the context sent to the builder. */
  ignored: boolean;
}

/** The build context, when the user's Dockerfile lives in (or names) a directory. */
export interface BuildContext {
  directory: string;
  /** Raw .dockerignore text, undefined when there is none. */
  dockerignore?: string;
  /** Files and directories at the top levels of the context (bounded walk). */
  files(): Promise<ContextFile[]>;
}

export interface BaseImagePolicy {
  /** Images a team allows as final bases (from config); empty = no policy. */
  allowed: string[];
}

export interface RuleContext {
  model: DockerfileModel;
  /** Present when the build context is known (a directory or --context). */
  buildContext?: BuildContext;
  /** Context entries, pre-walked by the runner when a rule asks via `needsContext`. */
  contextFiles?: ContextFile[];
  policy: BaseImagePolicy;
}

export interface Rule {
  meta: RuleMeta;
  /** Set when check() reads `contextFiles`, so the runner walks the context once. */
  needsContext?: boolean;
  check(context: RuleContext): RuleFinding[];
}
