/**
 * The container engine pare builds and runs images with, as an interface with
 * one implementation per engine (docker-cli.ts, podman.ts), after
 * testcontainers-node. `findEngine()` in detect.ts picks one.
 *
 * Everything pare creates (containers, temporary images) is labelled and
 * registered with the process-wide cleanup registry (cleanup.ts), so it is
 * removed on exit, on Ctrl-C and on failure.
 */
import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../image/types.js';

export type EngineKind = 'docker' | 'podman';

/** Label on every container pare starts and every temporary image it builds, so leftovers can be found (`docker ps -a --filter label=…`). */
export const MANAGED_LABEL = 'org.pare.managed';
/** Label naming the pare process that started the container. */
export const OWNER_LABEL = 'org.pare.owner';
/** Label naming the host of that process: only leftovers of dead processes on this host are removed. */
export const HOST_LABEL = 'org.pare.host';

export interface EngineInfo {
  kind: EngineKind;
  /** The CLI pare drives, e.g. `/usr/bin/docker`. */
  binary: string;
  /** Where the daemon is, as DOCKER_HOST would say it. */
  host: string;
  clientVersion: string;
  serverVersion: string;
  os: string;
  architecture: string;
  storageDriver: string;
  cpus: number;
  memoryBytes: number;
  /** Whether builds go through BuildKit (`DOCKER_BUILDKIT=1`). */
  buildkit: boolean;
}

export interface BuildOptions {
  /** The build context directory. */
  context: string;
  /** Path of the Dockerfile, absolute or relative to the working directory (default `CONTEXT/Dockerfile`). */
  dockerfile?: string;
  tag?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  noCache?: boolean;
  platform?: string;
  /** Remove the image when pare exits (for images built only to be measured). */
  temporary?: boolean;
  /** Each line of build output, as it arrives (callers print it on stderr). */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** `sha256:…`, the image ID. */
  imageId: string;
  tag?: string;
  /** The last lines of build output. */
  log: string[];
}

export interface PortBinding {
  /** Port inside the container. */
  container: number;
  /** Host port; omitted for an ephemeral port (find it with `port()`). */
  host?: number;
  /** Host address to bind (default 127.0.0.1: probes never expose a port beyond this machine). */
  hostIp?: string;
  protocol?: 'tcp' | 'udp';
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); unused for tmpfs. */
  source?: string;
  target: string;
  readOnly?: boolean;
}

export interface RunOptions {
  image: string;
  /** Arguments after the image (replaces the image's CMD). */
  cmd?: string[];
  /** Replaces the image's ENTRYPOINT; `[]` clears it. */
  entrypoint?: string[];
  ports?: PortBinding[];
  env?: Record<string, string>;
  /** Return once the container has started instead of waiting for it to exit. */
  detach?: boolean;
  /** Container name (default: a unique `pare-…` name). */
  name?: string;
  user?: string;
  readOnly?: boolean;
  mounts?: Mount[];
  workdir?: string;
  network?: string;
  labels?: Record<string, string>;
  /** Attached runs only: stop the container after this long and report `timedOut`. */
  timeoutMs?: number;
  /** Attached runs only: keep the exited container instead of removing it. */
  keep?: boolean;
  signal?: AbortSignal;
}

export interface StartedContainer {
  id: string;
  name: string;
}

export interface ContainerExit extends StartedContainer {
  /** Exit code; undefined when the run timed out and the container was killed. */
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface ContainerLogs {
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  env?: Record<string, string>;
  workdir?: string;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The parts of `docker image inspect` pare reads. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: string;
  Size: number;
  Architecture: string;
  Os: string;
  Config: {
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Env?: string[] | null;
    ExposedPorts?: Record<string, object> | null;
    User?: string;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    Healthcheck?: ContainerConfig['Healthcheck'] | null;
    Shell?: string[] | null;
    StopSignal?: string;
    Volumes?: Record<string, object> | null;
  } | null;
  RootFS: { Type: string; Layers?: string[] };
}

/** One row of `docker history`, newest first as the engine lists them. */
export interface ImageHistoryEntry {
  /** Image ID of the step, or undefined where the engine shows `<missing>`. */
  id: string | undefined;
  createdAt: string;
  createdBy: string;
  /** Bytes the step added (0 for metadata-only steps). */
  size: number;
  comment: string;
}

export interface Engine {
  readonly kind: EngineKind;
  readonly binary: string;
  readonly host: string;
  info(): Promise<EngineInfo>;
  /** Builds with the user's engine and builder. A failing build throws BuildFailedError. */
  build(options: BuildOptions): Promise<BuildResult>;
  run(options: RunOptions & { detach: true }): Promise<StartedContainer>;
  run(options: RunOptions & { detach?: false }): Promise<ContainerExit>;
  run(options: RunOptions): Promise<StartedContainer | ContainerExit>;
  logs(container: string): Promise<ContainerLogs>;
  /** Resolves to the exit code, or undefined if `timeoutMs` passed first (the container keeps running). */
  wait(container: string, options?: WaitOptions): Promise<number | undefined>;
  stop(container: string, options?: { timeoutSeconds?: number }): Promise<void>;
  /** Force-removes a container with its anonymous volumes; a missing container is not an error. */
  remove(container: string): Promise<void>;
  /** A missing image is not an error. */
  removeImage(image: string, options?: { force?: boolean }): Promise<void>;
  imageExists(image: string): Promise<boolean>;
  /** Pulls the image from its registry; throws the engine's reason when it cannot. */
  pull(image: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Removes containers and temporary images left by pare processes of this host that are gone
   * (the engine died before they could clean up); returns what was removed.
   */
  removeStale(): Promise<string[]>;
  /** Throws NoSuchImageError when the engine does not have the image. */
  imageInspect(image: string): Promise<ImageInspect>;
  history(image: string): Promise<ImageHistoryEntry[]>;
  /** The `docker save` tar of the images, streamed; errors (no such image, engine gone) error the stream. */
  save(images: string | string[]): Readable;
  /**
   * Loads a docker-archive (`docker load`): from a file, or streamed from
   * `archive` when it is a stream. Throws the engine's reason when it refuses.
   */
  load(archive: string | Readable, options?: { signal?: AbortSignal }): Promise<void>;
  exec(container: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Host address a published container port is reachable at. */
  port(
    container: string,
    containerPort: number,
    protocol?: 'tcp' | 'udp',
  ): Promise<{ host: string; port: number }>;
}
