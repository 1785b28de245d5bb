/**
 * Where `pare slim` writes: an output transport as skopeo spells it
 * (`docker-archive:PATH[:name:tag]`, `oci:DIR[:ref]`, `oci-archive:PATH[:ref]`),
 * never over the input.
 */
import { familiarDockerReference, parseImageReference, withDefaultTag } from '../image/reference.js';
import type { ImageToWrite } from '../image/write-common.js';
import { refuseInputPath } from '../image/write-common.js';
import { writeDockerArchive } from '../image/write-docker-archive.js';
import { writeOciArchive, writeOciLayout } from '../image/write-oci-layout.js';
import { describeSystemError, isPareError, PareError } from '../util/errors.js';

export interface OutputTarget {
  transport: 'docker-archive' | 'oci' | 'oci-archive';
  path: string;
  /** docker-archive RepoTags entry, or the OCI ref name. */
  name?: string;
}

export function parseOutput(text: string): OutputTarget {
  let reference: ReturnType<typeof parseImageReference>;
  try {
    reference = parseImageReference(text);
  } catch (error) {
    throw new PareError((error as Error).message, { subject: '--output' });
  }
  if (
    reference.transport !== 'docker-archive' &&
    reference.transport !== 'oci' &&
    reference.transport !== 'oci-archive'
  ) {
    throw new PareError(
      `expected docker-archive:PATH[:name:tag], oci:DIR[:ref] or oci-archive:PATH[:ref], got "${text}"`,
      {
        subject: '--output',
      },
    );
  }
  const target: OutputTarget = { transport: reference.transport, path: reference.path };
  const select = reference.select;
  if (select?.kind === 'name') target.name = familiarDockerReference(withDefaultTag(select.name));
  else if (select?.kind === 'ref') target.name = select.ref;
  else if (select?.kind === 'index') {
    throw new PareError('an output cannot select an image by index', { subject: '--output' });
  }
  return target;
}

/** Local paths the input reference reads (none for daemon and registry images). */
export function inputPaths(text: string): string[] {
  try {
    const reference = parseImageReference(text);
    return 'path' in reference ? [reference.path] : [];
  } catch {
    return [];
  }
}

export async function writeOutput(
  target: OutputTarget,
  image: ImageToWrite,
  inputs: readonly string[],
): Promise<void> {
  await refuseInputPath(target.path, inputs);
  try {
    switch (target.transport) {
      case 'docker-archive':
        return await writeDockerArchive(target.path, image, target.name ? { repoTags: [target.name] } : {});
      case 'oci':
        return await writeOciLayout(target.path, image, target.name ? { refName: target.name } : {});
      case 'oci-archive':
        return await writeOciArchive(target.path, image, target.name ? { refName: target.name } : {});
    }
  } catch (error) {
    // A read-only, full or missing output location is the user's to fix: one line naming it.
    if (typeof (error as NodeJS.ErrnoException).code === 'string' && !isPareError(error)) {
      throw new PareError(`cannot write the image: ${describeSystemError(error)}`, {
        subject: `--output ${target.transport}:${target.path}`,
        cause: error,
      });
    }
    throw error;
  }
}
