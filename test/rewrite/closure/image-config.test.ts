/**
 * An image config written back as instructions must read back as the same
 * config: the values are parsed again by pare's Dockerfile parser, which
 * substitutes variables and removes quotes as BuildKit does.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../src/dockerfile/parse.js';
import { isKeyValue } from '../../../src/dockerfile/types.js';
import type { ContainerConfig } from '../../../src/image/types.js';
import { configInstructions, duration } from '../../../src/rewrite/closure/image-config.js';

const config: ContainerConfig = {
  Env: [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'NODE_ENV=production',
    'GREETING=hello "world" $HOME \\n',
    'EMPTY=',
  ],
  Labels: {
    'org.opencontainers.image.source': 'https://example.com/app',
    maintainer: 'Ada <ada@example.com>',
  },
  User: 'node',
  WorkingDir: '/home/node/app',
  ExposedPorts: { '3000/tcp': {}, '9229/tcp': {} },
  Volumes: { '/data': {} },
  StopSignal: 'SIGQUIT',
  Healthcheck: {
    Test: ['CMD-SHELL', 'node healthcheck.js || exit 1'],
    Interval: 30e9,
    Timeout: 5e9,
    StartPeriod: 1.5e9,
    Retries: 3,
  },
  Entrypoint: ['docker-entrypoint.sh'],
  Cmd: ['node', 'server.js', '--port=$PORT'],
};

describe('configInstructions', () => {
  it('writes every field, and the values read back the same', async () => {
    const lines = configInstructions(config);
    expect(lines.map((line) => line.split(' ')[0])).toEqual([
      'ENV',
      'LABEL',
      'EXPOSE',
      'VOLUME',
      'STOPSIGNAL',
      'HEALTHCHECK',
      'WORKDIR',
      'USER',
      'ENTRYPOINT',
      'CMD',
    ]);
    expect(lines).toContain(
      'HEALTHCHECK --interval=30s --timeout=5s --start-period=1500ms --retries=3 CMD node healthcheck.js || exit 1',
    );
    expect(lines).toContain('CMD ["node", "server.js", "--port=$PORT"]');
    const model = await parseDockerfile(`FROM scratch\n${lines.join('\n')}\n`, 'Dockerfile');
    const env = model.finalStage.instructions.find((instruction) => instruction.keyword === 'ENV');
    expect(env && isKeyValue(env) ? env.pairs.map((pair) => `${pair.key}=${pair.value}`) : []).toEqual(
      config.Env,
    );
    const label = model.finalStage.instructions.find((instruction) => instruction.keyword === 'LABEL');
    expect(
      label && isKeyValue(label) ? Object.fromEntries(label.pairs.map((p) => [p.key, p.value])) : {},
    ).toEqual(config.Labels);
  });

  it('nothing for an empty config', () => {
    expect(configInstructions({})).toEqual([]);
  });

  it('exec-form health checks stay exec form', () => {
    expect(configInstructions({ Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost/'] } })).toEqual(
      ['HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]'],
    );
  });

  it('refuses what a Dockerfile cannot say', () => {
    expect(() => configInstructions({ Env: ['A=line one\nline two'] })).toThrow(/spans lines/);
  });
});

describe('duration', () => {
  it.each([
    [30e9, '30s'],
    [1.5e9, '1500ms'],
    [2500, '3us'],
  ])('%d ns', (ns, text) => {
    expect(duration(ns)).toBe(text);
  });
});
