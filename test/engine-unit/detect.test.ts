import { describe, expect, it, vi } from 'vitest';
import { CleanupRegistry } from '../../src/engine/cleanup.js';
import { describeUnreachable, findEngine } from '../../src/engine/detect.js';
import { DockerCliEngine } from '../../src/engine/docker-cli.js';
import { EngineUnavailableError } from '../../src/engine/errors.js';
import { PodmanCliEngine } from '../../src/engine/podman.js';
import { DAEMON_DOWN, DAEMON_UP_20, fakeCli } from './fake-cli.js';

const cleanup = new CleanupRegistry();
/** Nothing named and no docker socket: the one situation podman may stand in. */
const NO_DOCKER = { url: 'unix:///nonexistent/docker.sock', socketPath: '/nonexistent/docker.sock' };

describe('findEngine', () => {
  it('names every candidate it tried and why each was passed over', async () => {
    const down = await fakeCli('docker', DAEMON_DOWN);
    const attempt = findEngine({
      cleanup,
      env: {},
      endpoint: NO_DOCKER,
      candidates: [
        { kind: 'docker', label: '/usr/bin/docker', binary: undefined },
        { kind: 'docker', label: 'docker on PATH', binary: down.path },
        { kind: 'podman', label: 'podman', binary: undefined },
      ],
    });
    await expect(attempt).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(attempt).rejects.toThrow(
      'no container engine found: tried /usr/bin/docker (not installed), docker on PATH (daemon not reachable at unix:///var/run/docker.sock: is the docker daemon running?), podman (not installed)',
    );
  });

  it('says when a candidate is skipped as the same program as an earlier one', async () => {
    const attempt = findEngine({
      cleanup,
      env: {},
      candidates: [
        {
          kind: 'docker',
          label: 'docker on PATH',
          binary: '/usr/bin/docker',
          skip: 'same as /usr/bin/docker',
        },
      ],
    });
    await expect(attempt).rejects.toThrow('tried docker on PATH (same as /usr/bin/docker)');
  });

  it('takes the first candidate whose daemon answers, without asking a 20.10 client for buildx', async () => {
    const down = await fakeCli('docker', DAEMON_DOWN);
    const up = await fakeCli('docker', DAEMON_UP_20);
    const engine = await findEngine({
      cleanup,
      env: {},
      candidates: [
        { kind: 'docker', label: '/usr/bin/docker', binary: down.path },
        { kind: 'docker', label: 'docker on PATH', binary: up.path },
      ],
    });
    expect(engine).toBeInstanceOf(DockerCliEngine);
    expect(engine.binary).toBe(up.path);
    expect(await up.calls()).toEqual([['version', '--format', '{{.Client.Version}}|{{.Server.Version}}']]);
  });

  it('uses the classic builder with a newer client that has no buildx', async () => {
    const newer = await fakeCli(
      'docker',
      `
  version) echo "28.2.2|28.2.2" ;;
  buildx) echo "docker: unknown command: docker buildx" >&2; exit 1 ;;
  info) echo '{"ServerVersion":"28.2.2","OperatingSystem":"Debian","Architecture":"x86_64","Driver":"overlay2","NCPU":2,"MemTotal":1024}' ;;`,
    );
    const engine = await findEngine({
      cleanup,
      env: {},
      candidates: [{ kind: 'docker', label: 'docker on PATH', binary: newer.path }],
    });
    const info = await engine.info();
    expect(info).toMatchObject({
      kind: 'docker',
      serverVersion: '28.2.2',
      buildkit: false,
      cpus: 2,
      storageDriver: 'overlay2',
    });
  });

  it('falls back to podman, saying so, when nothing named an engine and there is no docker socket', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // Local podman has no server section in `podman version`: `podman info` is what answers.
    const podman = await fakeCli('podman', `\n  info) echo "4.3.1" ;;`);
    const engine = await findEngine({
      cleanup,
      env: {},
      endpoint: NO_DOCKER,
      candidates: [
        { kind: 'docker', label: '/usr/bin/docker', binary: undefined },
        { kind: 'podman', label: 'podman', binary: podman.path },
      ],
    });
    expect(engine).toBeInstanceOf(PodmanCliEngine);
    expect(engine.kind).toBe('podman');
    // Said once on stderr, however often the engine is looked for.
    await findEngine({
      cleanup,
      env: {},
      endpoint: NO_DOCKER,
      candidates: [{ kind: 'podman', label: 'podman', binary: podman.path }],
    });
    expect(stderr.mock.calls.map((call) => String(call[0]))).toEqual([
      'pare: warning: no docker engine (no /nonexistent/docker.sock, and no DOCKER_HOST, DOCKER_CONTEXT or current context): using podman\n',
    ]);
    stderr.mockRestore();
  });

  it('takes only podman when PARE_ENGINE=podman, even with docker answering first', async () => {
    const docker = await fakeCli('docker', DAEMON_UP_20);
    const podman = await fakeCli('podman', `\n  info) echo "4.3.1" ;;`);
    const engine = await findEngine({
      cleanup,
      env: { PARE_ENGINE: 'podman' },
      candidates: [
        { kind: 'docker', label: '/usr/bin/docker', binary: docker.path },
        { kind: 'podman', label: 'podman', binary: podman.path },
      ],
    });
    expect(engine).toBeInstanceOf(PodmanCliEngine);
    expect(await docker.calls()).toEqual([]);
    expect(await podman.calls()).toEqual([['info', '--format', '{{.Version.Version}}']]);
  });

  it('says what PARE_ENGINE asked for when that engine is not there', async () => {
    const docker = await fakeCli('docker', DAEMON_UP_20);
    const failing = await fakeCli(
      'podman',
      `\n  info) echo 'Error: could not find a working conmon binary' >&2; exit 125 ;;`,
    );
    const candidates = [
      { kind: 'docker' as const, label: '/usr/bin/docker', binary: docker.path },
      { kind: 'podman' as const, label: 'podman', binary: undefined },
    ];
    await expect(findEngine({ cleanup, env: { PARE_ENGINE: 'podman' }, candidates })).rejects.toThrow(
      'no container engine found (PARE_ENGINE=podman): tried podman (not installed)',
    );
    candidates[1]!.binary = failing.path as never;
    await expect(findEngine({ cleanup, env: { PARE_ENGINE: 'podman' }, candidates })).rejects.toThrow(
      'no container engine found (PARE_ENGINE=podman): tried podman (podman info failed: could not find a working conmon binary)',
    );
  });

  it('takes only docker when PARE_ENGINE=docker, and refuses other values', async () => {
    const podman = await fakeCli('podman', `\n  info) echo "4.3.1" ;;`);
    const candidates = [
      { kind: 'docker' as const, label: '/usr/bin/docker', binary: undefined },
      { kind: 'podman' as const, label: 'podman', binary: podman.path },
    ];
    await expect(findEngine({ cleanup, env: { PARE_ENGINE: 'Docker ' }, candidates })).rejects.toThrow(
      'no container engine found (PARE_ENGINE=docker): tried /usr/bin/docker (not installed)',
    );
    await expect(findEngine({ cleanup, env: { PARE_ENGINE: 'rkt' }, candidates })).rejects.toThrow(
      'PARE_ENGINE=rkt: expected docker or podman',
    );
    expect(await podman.calls()).toEqual([]);
    // Empty means unset: both kinds are tried.
    expect(
      (await findEngine({ cleanup, env: { PARE_ENGINE: '' }, candidates, endpoint: NO_DOCKER })).kind,
    ).toBe('podman');
  });

  it('reports a candidate that cannot be executed', async () => {
    const attempt = findEngine({
      cleanup,
      env: {},
      candidates: [{ kind: 'docker', label: 'docker on PATH', binary: '/nonexistent/docker' }],
    });
    await expect(attempt).rejects.toThrow(
      /tried docker on PATH \(cannot run it: spawn \/nonexistent\/docker ENOENT\)/,
    );
  });
});

describe('describeUnreachable', () => {
  it('explains a permission problem on the socket', () => {
    expect(
      describeUnreachable(
        'unix:///var/run/docker.sock',
        'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
      ),
    ).toBe(
      'permission denied on unix:///var/run/docker.sock (add the user to the docker group, or run as root)',
    );
  });

  it('keeps the CLI message for anything else', () => {
    expect(
      describeUnreachable('tcp://10.0.0.1:2375', 'error during connect: dial tcp 10.0.0.1:2375: i/o timeout'),
    ).toBe(
      'daemon not reachable at tcp://10.0.0.1:2375: error during connect: dial tcp 10.0.0.1:2375: i/o timeout',
    );
  });
});
