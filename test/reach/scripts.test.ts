import { describe, expect, it } from 'vitest';
import { scriptUses } from '../../src/reach/scripts.js';

describe('scriptUses', () => {
  it.each([
    [
      "the official node image's entrypoint: node only as an argument of set",
      `#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ]; then
  set -- node "$@"
fi
exec "$@"
`,
      { programs: ['node'], paths: [], sourced: [] },
    ],
    [
      'an app entrypoint that drops privileges, sources its env and runs an init',
      `#!/bin/bash
set -euo pipefail
. /app/scripts/env.sh
: "\${MONGO_URL:?MONGO_URL must be set}"
if [ "$(id -u)" = '0' ]; then
  chown -R node:node /app/uploads
  exec gosu node "$BASH_SOURCE" "$@"
fi
exec dumb-init -- node /app/server.js "$@"
`,
      {
        programs: ['id', 'chown', 'gosu', 'node', 'dumb-init'],
        paths: ['/app/uploads', '/app/server.js'],
        sourced: ['/app/scripts/env.sh'],
      },
    ],
    [
      'a CMD-SHELL health check with a pipe',
      'wget -qO- http://localhost:8080/health | grep -q ok || exit 1',
      { programs: ['wget', 'grep'], paths: [], sourced: [] },
    ],
    [
      'variables and globs are not files',
      '"$APP_HOME/bin/start" --config /etc/app/*.conf; $RUNNER /srv/app',
      { programs: [], paths: ['/srv/app'], sourced: [] },
    ],
  ])('%s', async (_name, text, expected) => {
    expect(await scriptUses(text)).toEqual(expected);
  });
});
