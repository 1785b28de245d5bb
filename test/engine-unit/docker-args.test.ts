import { describe, expect, it } from 'vitest';
import {
  buildArgs,
  execArgs,
  mountArg,
  parseHistory,
  parseHostPort,
  portArg,
  runArgs,
} from '../../src/engine/docker-args.js';

describe('buildArgs', () => {
  it('passes every option as its own argument, context last after --', () => {
    expect(
      buildArgs({
        context: '/src/app',
        dockerfile: '/src/app/Dockerfile.pare',
        tag: 'app:pare',
        target: 'final',
        platform: 'linux/amd64',
        noCache: true,
        buildArgs: { VERSION: '1.2 beta', EMPTY: '' },
        labels: { 'org.pare.kind': 'optimized' },
        iidFile: '/tmp/x/iid',
        plainProgress: true,
      }),
    ).toEqual([
      'build',
      '--progress=plain',
      '--file',
      '/src/app/Dockerfile.pare',
      '--iidfile',
      '/tmp/x/iid',
      '--tag',
      'app:pare',
      '--target',
      'final',
      '--platform',
      'linux/amd64',
      '--no-cache',
      '--build-arg',
      'VERSION=1.2 beta',
      '--build-arg',
      'EMPTY=',
      '--label',
      'org.pare.kind=optimized',
      '--',
      '/src/app',
    ]);
  });

  it('leaves out --progress for the classic builder and podman, and removes failed step containers', () => {
    const args = buildArgs({ context: '.', dockerfile: 'Dockerfile', iidFile: 'iid', plainProgress: false });
    expect(args).toEqual(['build', '--force-rm', '--file', 'Dockerfile', '--iidfile', 'iid', '--', '.']);
  });
});

describe('runArgs', () => {
  const base = { image: 'app:1', name: 'pare-abc', owner: '42' };

  it('starts detached, named and labelled so leftovers can be found', () => {
    expect(runArgs(base)).toEqual([
      'run',
      '--detach',
      '--name',
      'pare-abc',
      '--label',
      'org.pare.managed=true',
      '--label',
      'org.pare.owner=42',
      '--',
      'app:1',
    ]);
  });

  it('maps user, read-only, env, ports, mounts, workdir and network', () => {
    const args = runArgs({
      ...base,
      cmd: ['serve', '--port', '8080'],
      user: '65532:65532',
      readOnly: true,
      workdir: '/app',
      network: 'none',
      env: { MODE: 'a b', EMPTY: '' },
      ports: [{ container: 8080 }, { container: 53, host: 5353, protocol: 'udp', hostIp: '::1' }],
      mounts: [
        { type: 'bind', source: '/host/data', target: '/data', readOnly: true },
        { type: 'tmpfs', target: '/tmp' },
      ],
    });
    expect(args.slice(8)).toEqual([
      '--user',
      '65532:65532',
      '--read-only',
      '--workdir',
      '/app',
      '--network',
      'none',
      '--env',
      'MODE=a b',
      '--env',
      'EMPTY=',
      '--publish',
      '127.0.0.1::8080/tcp',
      '--publish',
      '[::1]:5353:53/udp',
      '--mount',
      'type=bind,source=/host/data,target=/data,readonly',
      '--mount',
      'type=tmpfs,target=/tmp',
      '--',
      'app:1',
      'serve',
      '--port',
      '8080',
    ]);
  });

  it('splits an exec-form entrypoint: first element to --entrypoint, the rest before CMD', () => {
    const args = runArgs({ ...base, entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] });
    expect(args.slice(-6)).toEqual(['--entrypoint', '/bin/sh', '--', 'app:1', '-c', 'echo hi']);
  });

  it('clears the entrypoint with an empty list', () => {
    expect(runArgs({ ...base, entrypoint: [] }).slice(-4)).toEqual(['--entrypoint', '', '--', 'app:1']);
  });

  it('refuses environment names that would change meaning', () => {
    expect(() => runArgs({ ...base, env: { 'A=B': 'c' } })).toThrow(
      /invalid environment variable name "A=B"/,
    );
  });
});

describe('portArg and mountArg', () => {
  it('rejects impossible ports', () => {
    expect(() => portArg({ container: 70000 })).toThrow(/invalid container port 70000/);
    expect(() => portArg({ container: 80, host: 1.5 })).toThrow(/invalid host port 1.5/);
  });

  it('rejects mount paths with commas and bind mounts without a source', () => {
    expect(() => mountArg({ type: 'bind', source: '/a,b', target: '/x' })).toThrow(/may not contain a comma/);
    expect(() => mountArg({ type: 'bind', target: '/x' })).toThrow(/needs a source/);
    expect(mountArg({ type: 'volume', source: 'cache', target: '/cache' })).toBe(
      'type=volume,source=cache,target=/cache',
    );
  });
});

describe('execArgs', () => {
  it('puts options before the container and the command after it', () => {
    expect(
      execArgs('c1', ['cat', '/etc/os-release'], { user: 'root', workdir: '/', env: { A: '1' } }),
    ).toEqual(['exec', '--user', 'root', '--workdir', '/', '--env', 'A=1', 'c1', 'cat', '/etc/os-release']);
  });

  it('needs a command', () => {
    expect(() => execArgs('c1', [])).toThrow(/exec needs a command/);
  });
});

describe('parseHistory', () => {
  it('reads docker 20.10 `history --human=false --format {{json .}}` output', () => {
    const output = [
      '{"Comment":"buildkit.dockerfile.v0","CreatedAt":"2026-11-22T16:06:17Z","CreatedBy":"CMD [\\"bash\\"]","CreatedSince":"2026-11-22T16:06:17Z","ID":"sha256:370c8b38","Size":"0"}',
      '{"Comment":"buildkit.dockerfile.v0","CreatedAt":"2026-11-22T16:06:17Z","CreatedBy":"ADD rootfs.tar / # buildkit","CreatedSince":"2026-11-22T16:06:17Z","ID":"\\u003cmissing\\u003e","Size":"116669336"}',
      '',
    ].join('\n');
    expect(parseHistory(output)).toEqual([
      {
        id: 'sha256:370c8b38',
        createdAt: '2026-11-22T16:06:17Z',
        createdBy: 'CMD ["bash"]',
        size: 0,
        comment: 'buildkit.dockerfile.v0',
      },
      {
        id: undefined,
        createdAt: '2026-11-22T16:06:17Z',
        createdBy: 'ADD rootfs.tar / # buildkit',
        size: 116669336,
        comment: 'buildkit.dockerfile.v0',
      },
    ]);
  });

  it('refuses human-readable sizes rather than guessing bytes', () => {
    expect(() => parseHistory('{"ID":"x","Size":"5.24MB"}')).toThrow(/unexpected size "5.24MB"/);
  });
});

describe('parseHostPort', () => {
  it('reads IPv4, IPv6 and wildcard bindings', () => {
    expect(parseHostPort('127.0.0.1:49153\n')).toEqual({ host: '127.0.0.1', port: 49153 });
    expect(parseHostPort('[::1]:49154\n')).toEqual({ host: '::1', port: 49154 });
    expect(parseHostPort('0.0.0.0:8080\n:::8080\n')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('')).toBeUndefined();
  });
});
