/**
 * Podman through its CLI, which accepts the docker command lines pare uses.
 * Only what differs from docker is overridden (checked against podman 4.3 on
 * Debian 12 by test/engine/podman.test.ts):
 * - builds go through buildah: no BuildKit, no `--progress`;
 * - there is no server to ask in local mode: `podman info` is the probe, and
 *   it has its own shape;
 * - `image inspect` prints an array whatever `--format '{{json .}}'` says, and
 *   IDs without the `sha256:` prefix docker puts on them;
 * - `history` prints one JSON array with lowercase keys (`--format json`);
 * - `rm --force` waits the stop timeout (10 s) before killing, unless `--time 0`;
 * - `save` of several images needs `--multi-image-archive`, and names the
 *   docker-archive format so a containers.conf default cannot change it;
 * - buildah labels every stage of a multi-stage build and keeps the stages
 *   other than the last as untagged images: after a temporary build, pare
 *   prunes the untagged images carrying its own owner label when it exits.
 */

import { spawnSync } from 'node:child_process';
import { PareError } from '../util/errors.js';
import type { CleanupHandle } from './cleanup.js';
import { DockerCliEngine, type DockerCliOptions } from './docker-cli.js';
import type {
  BuildOptions,
  BuildResult,
  EngineInfo,
  EngineKind,
  ImageHistoryEntry,
  ImageInspect,
} from './engine.js';
import { OWNER_LABEL } from './engine.js';
import { EngineUnavailableError, lastMeaningfulLine, NoSuchImageError } from './errors.js';
import { runProcess } from './process.js';

/** `podman history` as one JSON array, sizes in bytes. */
const PODMAN_HISTORY_ARGS = ['history', '--no-trunc', '--format', 'json'];
const NO_SUCH_IMAGE = /image not known|no such image/i;

export class PodmanCliEngine extends DockerCliEngine {
  override readonly kind: EngineKind = 'podman';
  override readonly host: string;
  private stagePrune: CleanupHandle | undefined;

  constructor(options: Omit<DockerCliOptions, 'buildkit'>) {
    const host = (options.env ?? process.env).CONTAINER_HOST || 'podman (local)';
    // The docker engine's address is not podman's: resolving it could fail on a docker context.
    super({ ...options, buildkit: false, host });
    this.host = host;
  }

  protected override buildEnv(): NodeJS.ProcessEnv {
    return this.env;
  }

  /** Temporary builds leave untagged stages (and, when they fail, the steps that ran): pruned at exit. */
  override async build(options: BuildOptions): Promise<BuildResult> {
    // Registered before the build's image: cleanup runs newest first, so this runs after the images are gone.
    if (options.temporary) this.stagePrune ??= this.cleanup.add(this.stagePruneAction());
    return super.build(options);
  }

  /** Removes the untagged build stages this process left (by its owner label); never anyone else's. */
  private stagePruneAction() {
    const { binary, env } = this;
    const args = pruneStagesArgs(process.pid);
    const check = (exitCode: number | null, stderr: string) => {
      if (exitCode !== 0) throw new Error(lastMeaningfulLine(stderr) ?? `exit code ${exitCode}`);
    };
    return {
      description: 'untagged build stages',
      run: async () => {
        const result = await runProcess(binary, args, { env, timeoutMs: 60_000 });
        check(result.exitCode, result.stderr);
      },
      runSync: () => {
        const result = spawnSync(binary, args, { env, encoding: 'utf8', timeout: 30_000 });
        check(result.status, result.stderr ?? '');
      },
    };
  }

  /** `podman rm --force` stops with the container's stop timeout (10 s) first; docker's kills at once. */
  protected override removeContainerArgs(container: string): string[] {
    return ['rm', '--force', '--time', '0', '--volumes', container];
  }

  protected override saveArgs(names: string[]): string[] {
    return [
      'save',
      '--format',
      'docker-archive',
      ...(names.length > 1 ? ['--multi-image-archive'] : []),
      ...names,
    ];
  }

  override async imageInspect(image: string): Promise<ImageInspect> {
    const args = ['image', 'inspect', image];
    const result = await this.spawn(args);
    if (result.exitCode !== 0 && NO_SUCH_IMAGE.test(result.stderr))
      throw new NoSuchImageError(image, this.host);
    this.failUnlessOk(args, result);
    return parsePodmanInspect(result.stdout, image);
  }

  override async history(image: string): Promise<ImageHistoryEntry[]> {
    const args = [...PODMAN_HISTORY_ARGS, image];
    const result = await this.spawn(args);
    if (result.exitCode !== 0 && NO_SUCH_IMAGE.test(result.stderr))
      throw new NoSuchImageError(image, this.host);
    this.failUnlessOk(args, result);
    return parsePodmanHistory(result.stdout);
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

/** `podman image prune` limited to the untagged images the pare process `pid` built. */
export function pruneStagesArgs(pid: number): string[] {
  return ['image', 'prune', '--force', '--filter', `label=${OWNER_LABEL}=${pid}`];
}

/** `sha256:HEX` for podman's bare hex IDs; `<missing>` and empty stay undefined. */
function imageId(value: unknown): string | undefined {
  const id = typeof value === 'string' ? value : '';
  if (id === '' || id === '<missing>') return undefined;
  return id.includes(':') ? id : `sha256:${id}`;
}

/** The first (only) element of `podman image inspect IMAGE`, as docker's shape. */
export function parsePodmanInspect(output: string, image: string): ImageInspect {
  const parsed = JSON.parse(output) as unknown;
  const data = (Array.isArray(parsed) ? parsed[0] : parsed) as (ImageInspect & { Id?: string }) | undefined;
  const id = imageId(data?.Id);
  if (!data || id === undefined)
    throw new PareError(`podman image inspect reported no image ID`, { subject: image });
  return { ...data, Id: id };
}

/** Parses PODMAN_HISTORY_ARGS output: `[{"id","created","CreatedBy","size","comment"}]`, newest first. */
export function parsePodmanHistory(output: string): ImageHistoryEntry[] {
  const text = output.trim();
  if (text === '') return [];
  const rows = JSON.parse(text) as Array<Record<string, unknown>>;
  return rows.map((row) => {
    const size = Number(row.size ?? row.Size);
    if (!Number.isFinite(size))
      throw new PareError(`unexpected size "${String(row.size)}" in podman history output`);
    return {
      id: imageId(row.id ?? row.ID),
      createdAt: String(row.created ?? row.Created ?? ''),
      createdBy: String(row.CreatedBy ?? row.createdBy ?? ''),
      size,
      comment: String(row.comment ?? row.Comment ?? ''),
    };
  });
}
