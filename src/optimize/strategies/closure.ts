/**
 * The runtime closure as candidates, from whatever the Dockerfile is: its
 * final stage replaced by an empty base holding what the app reaches (see
 * ../closure.ts), then the packages the shipped stage installs that nothing
 * reaches, removed. Both read the same derived closure.
 */
import { basename, relative, sep } from 'node:path';
import type { DockerfileModel } from '../../dockerfile/types.js';
import type { KeepSet } from '../../reach/keep-set.js';
import { closureCandidate, deriveClosure } from '../closure.js';
import { keepListPath, topLevelNames, withKeepListIncluded } from '../closure-files.js';
import {
  installedPackages,
  packageFiles,
  unreachedPackages,
  withoutPackages,
} from '../unreached-packages.js';
import type { CandidateSession, CandidateStream } from './strategy.js';

export async function* closureCandidates(session: CandidateSession): CandidateStream {
  const keepPath = keepListPath(session.directory, session.output);
  const input = {
    engine: session.engine,
    imageId: session.app.imageId,
    model: session.app.model,
    context: session.directory,
    contextTopLevel: await topLevelNames(session.buildContext),
    keepPath,
    keepFileName: basename(keepPath),
    probe: session.probe,
    allowedBases: session.allowedBases,
    workdir: session.workdir,
    buildStage: (stage: string) => session.buildStage(session.app.text, stage),
    onStep: session.step,
    ...(session.signal ? { signal: session.signal } : {}),
  };
  const derived = await deriveClosure(input);
  if ('reason' in derived) {
    notMade(session, derived.reason);
    return;
  }
  const closure = await closureCandidate({ ...input, derived: derived.derived });
  if (!closure.made) notMade(session, closure.reason);
  else {
    const ignore = withKeepListIncluded(
      session.dockerignore ?? session.buildContext.dockerignore,
      relative(session.directory, keepPath).split(sep).join('/'),
    );
    yield {
      name: 'closure',
      text: closure.candidate.text,
      notes: closure.candidate.notes,
      ...(ignore !== undefined ? { dockerignore: ignore } : {}),
      keepList: { path: keepPath, text: closure.candidate.keepText },
    };
  }
  const unused = await withoutUnusedPackages(session, session.app.model, derived.derived.selection.keep);
  if (unused) yield { name: 'unused-packages', ...unused };
}

function notMade(session: CandidateSession, reason: string): void {
  session.notMade(`runtime closure: ${reason}`);
  session.step(`runtime closure not made: ${reason}`);
}

/** The app's Dockerfile without the system packages whose files nothing the app runs reaches. */
async function withoutUnusedPackages(
  session: CandidateSession,
  model: DockerfileModel,
  keep: KeepSet,
): Promise<{ text: string; notes: string[] } | undefined> {
  const installed = installedPackages(model);
  if (installed.length === 0) return undefined;
  session.step('asking the package manager which files the installed packages hold');
  const files = await packageFiles(session.engine, session.app.imageId, installed, session.signal);
  if (!files) return undefined;
  const unused = unreachedPackages(keep, installed, files);
  const text = unused.length > 0 ? withoutPackages(model, unused) : undefined;
  if (!text) return undefined;
  const names = unused.map((p) => p.name).join(', ');
  return {
    text,
    notes: [
      `not installed: ${names} (nothing the app, its scripts or its HEALTHCHECK ran reached their files)`,
    ],
  };
}
