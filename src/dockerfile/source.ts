/**
 * Reads a Dockerfile's bytes and rejects what is not a Dockerfile before the
 * parser sees it: each problem becomes one PareError naming the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError, PareError } from '../util/errors.js';

/** Real Dockerfiles are kilobytes; a megabyte of text is a mistake (a log, an archive). */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export interface DockerfileSource {
  /** Path as the user named it (or `<stdin>`). */
  displayPath: string;
  /** Resolved file path, undefined for stdin. */
  filePath?: string;
  /** The directory the Dockerfile was found in (default build context). */
  directory?: string;
  /** The text, without the byte-order mark the file may start with. */
  text: string;
  /** The file starts with a UTF-8 byte-order mark: a rewrite must keep it. */
  bom?: true;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

const DOCKERFILE_NAMES = ['Dockerfile', 'dockerfile', 'Containerfile'];

/** Resolves a path that may be a directory holding a Dockerfile. */
export async function locateDockerfile(path: string): Promise<{ filePath: string; directory: string }> {
  // Synchronous metadata calls: linting many small files is bound by round trips, not bytes.
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch (error) {
    throw new PareError(describeSystemError(error), { subject: path });
  }
  if (info.isDirectory()) {
    for (const name of DOCKERFILE_NAMES) {
      const candidate = join(path, name);
      const found = statSync(candidate, { throwIfNoEntry: false });
      if (found?.isFile()) return { filePath: candidate, directory: path };
    }
    throw new PareError(`directory has no Dockerfile (looked for ${DOCKERFILE_NAMES.join(', ')})`, {
      subject: path,
    });
  }
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return { filePath: path, directory: slash >= 0 ? path.slice(0, slash) || '/' : '.' };
}

export async function readDockerfile(path: string): Promise<DockerfileSource> {
  const { filePath, directory } = await locateDockerfile(path);
  let bytes: Buffer;
  try {
    const info = statSync(filePath);
    if (info.size > MAX_DOCKERFILE_BYTES) {
      throw new PareError(
        `file is ${info.size} bytes, larger than the ${MAX_DOCKERFILE_BYTES} byte limit for a Dockerfile`,
        { subject: filePath },
      );
    }
    bytes = readFileSync(filePath);
  } catch (error) {
    if (error instanceof PareError) throw error;
    throw new PareError(describeSystemError(error), { subject: filePath });
  }
  const text = decodeDockerfile(bytes, filePath);
  return { displayPath: filePath, filePath, directory, text, ...(startsWithBom(bytes) ? { bom: true } : {}) };
}

export async function readDockerfileFromStream(
  stream: NodeJS.ReadableStream,
  displayPath = '<stdin>',
): Promise<DockerfileSource> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > MAX_DOCKERFILE_BYTES) {
      throw new PareError(`input is larger than the ${MAX_DOCKERFILE_BYTES} byte limit for a Dockerfile`, {
        subject: displayPath,
      });
    }
    chunks.push(buffer);
  }
  return { displayPath, text: decodeDockerfile(Buffer.concat(chunks), displayPath) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeDockerfile(bytes: Uint8Array, displayPath: string): string {
  if (bytes.length > MAX_DOCKERFILE_BYTES) {
    throw new PareError(
      `file is ${bytes.length} bytes, larger than the ${MAX_DOCKERFILE_BYTES} byte limit for a Dockerfile`,
      {
        subject: displayPath,
      },
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new PareError(`binary file (NUL byte at offset ${nul}), not a Dockerfile`, {
      subject: displayPath,
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new PareError(`invalid UTF-8 at byte ${firstInvalidUtf8(bytes)}`, { subject: displayPath });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new PareError('file is empty', { subject: displayPath });
  return text;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  // Largest valid prefix, found by bisection; the error is at most 3 bytes after it.
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid));
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}
