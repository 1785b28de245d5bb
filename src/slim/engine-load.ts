/**
 * Loads a docker-archive into the local engine (`docker load -i FILE`, or
 * podman's). Kept here rather than in src/engine until the Engine interface
 * grows a load().
 */
import { spawn } from 'node:child_process';
import type { Engine } from '../engine/engine.js';
import { PareError } from '../util/errors.js';

export async function loadArchive(engine: Engine, archive: string, signal?: AbortSignal): Promise<void> {
  const child = spawn(engine.binary, ['load', '-q', '-i', archive], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(signal ? { signal } : {}),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new PareError(
      `${engine.binary} load failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`,
      {
        subject: archive,
      },
    );
  }
}
