/**
 * `docker-daemon:NAME[:TAG|@DIGEST]` and `docker-daemon:sha256:ID`: an image
 * in the local engine, exported through the Engine API (`GET /images/get`,
 * what `docker save` uses) of the engine the docker CLI would use, streamed
 * to a temporary file and read with the docker-archive reader. The file is
 * removed on close(), and at process exit if close() is never reached.
 *
 * With PARE_ENGINE=podman (or when no engine is named, there is no docker
 * socket and no podman API socket, and podman is on PATH) the image is podman's, exported with `podman save
 * --format docker-archive`: local podman has no daemon to ask, and the same
 * engine must both provide the image and run it.
 *
 * The export is a plain file rather than a stream because the archive reader
 * needs random access (manifest.json comes last in `docker save` output). The
 * Engine API's export is hashed member by member as it is written
 * (received-archive.ts), so its layers are not read again only to be hashed;
 * podman writes its file itself, and its layers are hashed as any archive's.
 */
import { join } from 'node:path';
import { type CleanupHandle, temporaryDirectory } from '../../engine/cleanup.js';
import { ENGINE_ENV, requestedEngine, which } from '../../engine/detect.js';
import {
  announcePodmanStandIn,
  type DockerEndpoint,
  dockerUnreachable,
  podmanMayStandIn,
  resolveDockerEndpoint,
} from '../../engine/docker-endpoint.js';
import {
  describeConnectionError,
  encodeImageName,
  engineRequest,
  errorMessage,
  podmanApiSocket,
  readBody,
} from '../../engine/engine-api.js';
import { runProcess } from '../../engine/process.js';
import { abortReason } from '../../util/abort.js';
import { describeSystemError, PareError } from '../../util/errors.js';
import type { OpenImageOptions } from '../open-options.js';
import { type DaemonImageReference, familiarDockerReference } from '../reference.js';
import type { MemberDigests } from '../tar/member-digests.js';
import type { Digest, Image, ImageConfig, Layer, Manifest } from '../types.js';
import { ArchiveIndex } from './archive-index.js';
import { openDockerArchive } from './docker-archive.js';
import { receiveArchive } from './received-archive.js';

export interface OpenDaemonImageOptions extends OpenImageOptions {
  /** Environment to resolve the engine from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** An explicit engine endpoint, overriding the environment. */
  endpoint?: DockerEndpoint;
  /** Export with this podman CLI instead of the Engine API (default: chosen from the environment, see daemonSource). */
  podman?: string;
}

/** Where a docker-daemon: image comes from. */
export type DaemonSource = { kind: 'api'; endpoint: DockerEndpoint } | { kind: 'podman'; binary: string };

/**
 * The Engine API of the engine the docker CLI would use (DOCKER_HOST, a
 * context, or the default socket), or podman when PARE_ENGINE=podman says so,
 * or, saying so, when nothing named an engine and there is no docker socket.
 */
export function daemonSource(env: NodeJS.ProcessEnv = process.env): DaemonSource {
  const wanted = requestedEngine(env);
  if (wanted === 'podman') {
    const podman = which('podman', env.PATH);
    if (!podman) throw new PareError(`${ENGINE_ENV}=podman but podman is not on PATH`);
    // A podman service the user points at (CONTAINER_HOST=unix://…) is asked through its API.
    const host = env.CONTAINER_HOST?.trim();
    if (host?.startsWith('unix://'))
      return { kind: 'api', endpoint: { url: host, socketPath: host.slice(7) } };
    return { kind: 'podman', binary: podman };
  }
  const endpoint = resolveDockerEndpoint(env);
  if (!podmanMayStandIn(endpoint, env)) return { kind: 'api', endpoint };
  const socket = podmanApiSocket(env);
  const podman = socket ? undefined : which('podman', env.PATH);
  if (!socket && !podman) return { kind: 'api', endpoint };
  announcePodmanStandIn(endpoint);
  return socket
    ? { kind: 'api', endpoint: { url: `unix://${socket}`, socketPath: socket } }
    : { kind: 'podman', binary: podman as string };
}

export async function openDaemonImage(
  reference: DaemonImageReference,
  options: OpenDaemonImageOptions = {},
): Promise<Image> {
  const source: DaemonSource = options.endpoint
    ? { kind: 'api', endpoint: options.endpoint }
    : options.podman
      ? { kind: 'podman', binary: options.podman }
      : daemonSource(options.env);
  const subject = reference.raw;
  const name = daemonName(reference);
  const imageId =
    source.kind === 'api'
      ? await inspectImageId(source.endpoint, name, subject, options.signal)
      : await podmanImageId(source.binary, name, subject, options.signal, options.env);

  const { path: directory, handle } = await temporaryDirectory('pare-daemon-');
  try {
    const path = join(directory, 'image.tar');
    // A tag or digest names what the user asked for, and keeps RepoTags in the
    // archive; the ID is used when that is all we have.
    let digests: MemberDigests | undefined;
    if (source.kind === 'api')
      digests = await exportImage(source.endpoint, reference.imageId ?? name, path, subject, options.signal);
    else
      await podmanSave(source.binary, reference.imageId ?? name, path, subject, options.signal, options.env);
    const index = await ArchiveIndex.build(path, subject, digests);
    const image = await openDockerArchive(path, { reference: subject, index });
    const exported = await image.configDigest();
    if (exported !== imageId) {
      await image.close();
      throw new PareError(
        `the image changed while it was being exported (was ${imageId}, exported ${exported}); try again`,
        { subject },
      );
    }
    return new DaemonImage(image, handle);
  } catch (error) {
    await handle.runNow();
    throw error;
  }
}

/** The name as the daemon knows it: `alpine:3.19` rather than `docker.io/library/alpine:3.19`. */
function daemonName(reference: DaemonImageReference): string {
  if (reference.imageId) return reference.imageId;
  if (reference.name) return familiarDockerReference(reference.name);
  throw new PareError('docker-daemon: needs an image name or ID', { subject: reference.raw });
}

async function inspectImageId(
  endpoint: DockerEndpoint,
  name: string,
  subject: string,
  signal: AbortSignal | undefined,
): Promise<Digest> {
  const response = await request(endpoint, `/images/${encodeImageName(name)}/json`, subject, signal);
  if (response.statusCode === 404) {
    response.resume();
    throw new PareError(`no such image in the Docker engine at ${endpoint.url}`, { subject });
  }
  if (response.statusCode !== 200) {
    throw new PareError(
      `the Docker engine at ${endpoint.url} refused to inspect the image: ${await errorMessage(response)}`,
      {
        subject,
      },
    );
  }
  const inspect = JSON.parse((await readBody(response)).toString('utf8')) as { Id?: string };
  if (!inspect.Id?.startsWith('sha256:')) {
    throw new PareError(`the Docker engine at ${endpoint.url} reported no image ID`, { subject });
  }
  return inspect.Id as Digest;
}

async function exportImage(
  endpoint: DockerEndpoint,
  name: string,
  path: string,
  subject: string,
  signal: AbortSignal | undefined,
): Promise<MemberDigests> {
  const response = await request(
    endpoint,
    `/images/get?names=${encodeURIComponent(name)}`,
    subject,
    signal,
    0,
  );
  if (response.statusCode !== 200) {
    const message = await errorMessage(response);
    if (response.statusCode === 404)
      throw new PareError(`no such image in the Docker engine at ${endpoint.url}`, { subject });
    throw new PareError(`the Docker engine at ${endpoint.url} failed to export the image: ${message}`, {
      subject,
    });
  }
  try {
    return await receiveArchive(response, path, subject);
  } catch (error) {
    // The export stops here, whatever stopped it: the daemon need not write the rest.
    response.destroy();
    if ((error as Error).name === 'AbortError') throw error;
    // An abort may surface as the connection's reset rather than as itself.
    if (signal?.aborted) throw abortReason(signal);
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code?.startsWith('E') && code !== 'ECONNRESET' ? describeSystemError(error) : (error as Error).message;
    throw new PareError(`exporting the image from the Docker engine failed: ${what}`, {
      subject,
      cause: error,
    });
  }
}

const PODMAN_NO_SUCH_IMAGE = /image not known|no such image/i;

async function podmanImageId(
  binary: string,
  name: string,
  subject: string,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv | undefined,
): Promise<Digest> {
  const result = await podman(
    binary,
    ['image', 'inspect', '--format', '{{.Id}}', name],
    subject,
    signal,
    env,
  );
  if (result.exitCode !== 0) {
    if (PODMAN_NO_SUCH_IMAGE.test(result.stderr))
      throw new PareError(`no such image in podman (${binary})`, { subject });
    throw new PareError(`podman could not inspect the image: ${podmanReason(result)}`, { subject });
  }
  const id = result.stdout.trim().split('\n')[0] ?? '';
  if (!/^(sha256:)?[0-9a-f]{64}$/.test(id)) throw new PareError(`podman reported no image ID`, { subject });
  return (id.startsWith('sha256:') ? id : `sha256:${id}`) as Digest;
}

async function podmanSave(
  binary: string,
  name: string,
  path: string,
  subject: string,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv | undefined,
): Promise<void> {
  const args = ['save', '--quiet', '--format', 'docker-archive', '--output', path, name];
  const result = await podman(binary, args, subject, signal, env);
  if (result.exitCode !== 0) {
    if (PODMAN_NO_SUCH_IMAGE.test(result.stderr))
      throw new PareError(`no such image in podman (${binary})`, { subject });
    throw new PareError(`exporting the image from podman failed: ${podmanReason(result)}`, { subject });
  }
}

async function podman(
  binary: string,
  args: string[],
  subject: string,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv | undefined,
) {
  try {
    return await runProcess(binary, args, { env: env ?? process.env, ...(signal ? { signal } : {}) });
  } catch (error) {
    if ((error as Error).name === 'AbortError' || signal?.aborted) throw error;
    throw new PareError(`cannot run ${binary}: ${describeSystemError(error)}`, { subject, cause: error });
  }
}

function podmanReason(result: { stderr: string; exitCode: number | null }): string {
  const lines = result.stderr.trim().split('\n');
  return (lines[lines.length - 1] ?? '').replace(/^Error:\s*/, '') || `exit code ${result.exitCode}`;
}

/** `headersTimeoutMs` 0 = wait as long as the daemon takes (it starts exporting only after preparing the tar). */
async function request(
  endpoint: DockerEndpoint,
  path: string,
  subject: string,
  signal: AbortSignal | undefined,
  headersTimeoutMs = 30_000,
) {
  try {
    return await engineRequest(endpoint, path, {
      ...(signal ? { signal } : {}),
      headersTimeoutMs: headersTimeoutMs === 0 ? 30 * 60_000 : headersTimeoutMs,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    const unreachable = dockerUnreachable(endpoint, describeConnectionError(error));
    throw new PareError(unreachable.message, { subject, cause: error });
  }
}

/** The archive image, plus removal of the exported file on close. */
class DaemonImage implements Image {
  constructor(
    private readonly archive: Image,
    private readonly cleanup: CleanupHandle,
  ) {}

  get reference(): string {
    return this.archive.reference;
  }

  manifest(): Promise<Manifest> {
    return this.archive.manifest();
  }

  configDigest(): Promise<Digest> {
    return this.archive.configDigest();
  }

  config(): Promise<ImageConfig> {
    return this.archive.config();
  }

  layers(): Promise<Layer[]> {
    return this.archive.layers();
  }

  async close(): Promise<void> {
    await this.archive.close();
    await this.cleanup.runNow();
  }
}
