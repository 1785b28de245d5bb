import { describe, expect, it } from 'vitest';
import { resolveProbe } from '../../src/engine/probe-options.js';

describe('resolveProbe', () => {
  it.each([
    [
      'a command line split as sh would',
      { probeCmd: `--name "pare user" 2` },
      {},
      { kind: 'cmd', args: ['--name', 'pare user', '2'] },
    ],
    ['an HTTP probe', { probeHttp: ':8080/health' }, {}, { kind: 'http', port: 8080, path: '/health' }],
    ['seconds up', { probeUp: '10' }, {}, { kind: 'up', seconds: 10 }],
    ['the config when no flag is given', {}, { http: ':3000/' }, { kind: 'http', port: 3000, path: '/' }],
    ['a flag over the config', { probeUp: 2 }, { http: ':3000/' }, { kind: 'up', seconds: 2 }],
    ['the default: starts and stays up 5 s', {}, {}, { kind: 'up', seconds: 5 }],
    [
      'a shell script, as sh -c with its words intact',
      { probeCmd: `sh -c 'node healthcheck.js && echo ok'` },
      {},
      { kind: 'cmd', args: ['sh', '-c', 'node healthcheck.js && echo ok'] },
    ],
    [
      'env with assignments, nothing dropped',
      { probeCmd: 'env NODE_ENV=production node -e "console.log(1)"' },
      {},
      { kind: 'cmd', args: ['env', 'NODE_ENV=production', 'node', '-e', 'console.log(1)'] },
    ],
    [
      'the environment from flags, over the config',
      { probeHttp: ':3000/health', probeEnv: ['MONGO_URL=mongodb://db/app', 'PORT=3000'] },
      { env: { PORT: '8080', SECRET: 's=1' } },
      {
        kind: 'http',
        port: 3000,
        path: '/health',
        env: { MONGO_URL: 'mongodb://db/app', PORT: '3000', SECRET: 's=1' },
      },
    ],
    ['one --probe-env', { probeEnv: 'A=' }, {}, { kind: 'up', seconds: 5, env: { A: '' } }],
  ])('%s', async (_name, flags, defaults, expected) => {
    expect(await resolveProbe(flags, defaults)).toEqual(expected);
  });

  it.each([
    [{ probeCmd: 'a', probeUp: 3 }, /give one of/],
    [{ probeCmd: 'a && b' }, /"&" at column 3 needs a shell: wrap the command in sh -c/],
    [{ probeEnv: ['MONGO_URL'] }, /expected KEY=VALUE, got "MONGO_URL"/],
    [{ probeEnv: ['=x'] }, /expected KEY=VALUE/],
    [{ probeHttp: '8080' }, /expected :PORT\/path/],
    [{ probeUp: '-1' }, /expected seconds/],
  ])('rejects %o', async (flags, message) => {
    await expect(resolveProbe(flags)).rejects.toThrow(message);
  });
});
