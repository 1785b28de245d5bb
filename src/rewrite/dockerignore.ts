/**
 * Proposes a .dockerignore (or the lines missing from one) from what the build
 * context actually holds: VCS data, installed dependencies, virtualenvs, build
 * outputs, caches, editor folders, logs and secret-looking files — the same
 * offenders the copy-without-dockerignore and dockerignore-gaps rules report.
 * A path the Dockerfile COPYs by name is never ignored.
 */
import type { DockerfileModel } from '../dockerfile/types.js';
import {
  dockerfileActivity,
  findOffenders,
  isNamedByCopy,
  namedByCopies,
} from '../rules/layers/context-offenders.js';
import type { ContextFile } from '../rules/types.js';

export interface DockerignoreProposal {
  /** Full text to write: the existing file plus the new lines. */
  text: string;
  /** Patterns added, in order. */
  added: string[];
  /** Bytes no longer sent to the builder (measured on the context). */
  bytesExcluded: number;
}

/** Always excluded: never useful inside an image, whatever the ecosystem. */
const BASELINE = ['.git'];

export function proposeDockerignore(
  model: DockerfileModel,
  files: readonly ContextFile[],
  existing: string | undefined,
): DockerignoreProposal | undefined {
  const present = new Set(
    (existing ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  const named = namedByCopies(model);
  const offenders = findOffenders(files, dockerfileActivity(model)).filter(
    (offender) => offender.bytes > 0 && !isNamedByCopy(offender, named),
  );
  const candidates: Array<{ pattern: string; bytes: number }> = offenders.map((offender) => ({
    pattern: offender.pattern,
    bytes: offender.bytes,
  }));
  for (const pattern of BASELINE) {
    const entry = files.find((file) => file.path === pattern);
    if (entry && !entry.ignored && !named.has(pattern)) candidates.push({ pattern, bytes: entry.size });
  }

  const added: string[] = [];
  let bytesExcluded = 0;
  for (const { pattern, bytes } of candidates) {
    if (present.has(pattern) || added.includes(pattern)) continue;
    added.push(pattern);
    bytesExcluded += bytes;
  }
  if (added.length === 0) return undefined;

  const header =
    existing === undefined
      ? '# Written by `pare fix`: what the build context holds that the image does not need.\n'
      : '\n# Added by `pare fix`.\n';
  const base =
    existing === undefined ? '' : existing.endsWith('\n') || existing === '' ? existing : `${existing}\n`;
  return { text: `${base}${header}${added.join('\n')}\n`, added, bytesExcluded };
}

/** Context paths COPY/ADD name explicitly (not via `.` or a parent): the user wants them shipped. */
