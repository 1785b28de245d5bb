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
  ])('%s', async (_name, flags, defaults, expected) => {
    expect(await resolveProbe(flags, defaults)).toEqual(expected);
  });

  it.each([
    [{ probeCmd: 'a', probeUp: 3 }, /give one of/],
    [{ probeCmd: 'a && b' }, /not a single command/],
    [{ probeHttp: '8080' }, /expected :PORT\/path/],
    [{ probeUp: '-1' }, /expected seconds/],
  ])('rejects %o', async (flags, message) => {
    await expect(resolveProbe(flags)).rejects.toThrow(message);
  });
});
