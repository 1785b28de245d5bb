/**
 * When pare waits on something that can never happen, the process must not
 * end silently with Node's exit code 13: it says it is pare's bug, exit 70.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('an unsettled run ends with one internal-error line and exit 70', () => {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('./unfinished-child.mjs', import.meta.url))],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  expect(child.status).toBe(70);
  expect(child.stderr).toBe(
    'pare: error: internal error: pare stopped with work unfinished; please report it\n',
  );
});
