/**
 * Podman through its CLI, which accepts the docker command lines pare uses.
 * Deliberately minimal and not exercised in CI (podman is not installed
 * there): only what differs from docker is overridden: builds go through
 * buildah (no BuildKit, no `--progress`), and `podman info` has its own shape.
 */

import { DockerCliEngine, type DockerCliOptions } from './docker-cli.js';
import type { EngineInfo, EngineKind } from './engine.js';
import { EngineUnavailableError } from './errors.js';

export class PodmanCliEngine extends DockerCliEngine {
  override readonly kind: EngineKind = 'podman';
  override readonly host: string;

  constructor(options: Omit<DockerCliOptions, 'buildkit'>) {
    super({ ...options, buildkit: false });
    this.host = this.env.CONTAINER_HOST || 'podman (local)';
  }

  protected override buildEnv(): NodeJS.ProcessEnv {
    return this.env;
  }

  override async info(): Promise<EngineInfo> {
    const result = await this.checked(['info', '--format', 'json']);
    const data = JSON.parse(result.stdout) as {
      host?: {
        os?: string;
        arch?: string;
        cpus?: number;
        memTotal?: number;
        distribution?: { distribution?: string };
      };
      store?: { graphDriverName?: string };
      version?: { Version?: string };
    };
    if (!data.version?.Version) throw new EngineUnavailableError('podman info did not report a version');
    return {
      kind: 'podman',
      binary: this.binary,
      host: this.host,
      clientVersion: data.version.Version,
      serverVersion: data.version.Version,
      os: data.host?.distribution?.distribution ?? data.host?.os ?? '',
      architecture: data.host?.arch ?? '',
      storageDriver: data.store?.graphDriverName ?? '',
      cpus: data.host?.cpus ?? 0,
      memoryBytes: data.host?.memTotal ?? 0,
      buildkit: false,
    };
  }
}
