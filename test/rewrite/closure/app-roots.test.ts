import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../src/dockerfile/parse.js';
import { appRootsOf } from '../../../src/rewrite/closure/app-roots.js';

describe('appRootsOf', () => {
  it.each([
    [
      'the app directory of a Node app, whatever the WORKDIR spelling',
      `FROM node:20-slim
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
`,
      ['/usr/src/app'],
    ],
    [
      'an entrypoint script into /usr/local/bin is one file, not the directory',
      `FROM node:20-slim
WORKDIR /home/node/app
COPY --chown=node:node . .
COPY docker-entrypoint.sh /usr/local/bin/
COPY config/nginx.conf /etc/nginx/conf.d/default.conf
ENTRYPOINT ["docker-entrypoint.sh"]
`,
      ['/home/node/app', '/usr/local/bin/docker-entrypoint.sh', '/etc/nginx/conf.d/default.conf'],
    ],
    [
      'a multi-stage file: only the shipped stage and the stages it is built FROM',
      `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/server .

FROM debian:bookworm-slim AS base
WORKDIR /srv
COPY static ./static

FROM base
COPY --from=build /out/server /usr/local/bin/server
COPY templates templates/
`,
      ['/srv/static', '/usr/local/bin/server', '/srv/templates', '/srv'],
    ],
    [
      'COPY . / puts the context top level into the root',
      `FROM python:3.12-slim
COPY . /
CMD ["python", "/main.py"]
`,
      ['/main.py', '/app'],
    ],
    [
      'a glob into a system directory keeps what matches in the image (a match the base had too is kept)',
      `FROM debian:bookworm-slim
COPY bin/*.sh /usr/local/bin/
`,
      ['/usr/local/bin/start.sh', '/usr/local/bin/healthcheck.sh', '/usr/local/bin/docker-entrypoint.sh'],
    ],
    [
      'a relative WORKDIR and no slash on the destination',
      `FROM python:3.12-slim
WORKDIR /opt
WORKDIR service
COPY requirements.txt .
COPY src src
`,
      ['/opt/service', '/opt/service/src'],
    ],
  ])('%s', async (_name, text, expected) => {
    const model = await parseDockerfile(text, 'Dockerfile');
    const roots = appRootsOf({
      model,
      contextTopLevel: ['main.py', 'app'],
      listImageDirectory: (path) =>
        path === '/usr/local/bin'
          ? ['start.sh', 'healthcheck.sh', 'node', 'docker-entrypoint.sh']
          : undefined,
    });
    expect(roots.map((root) => root.path)).toEqual(expected);
  });

  it('says which instruction named a root', async () => {
    const model = await parseDockerfile('FROM debian\nWORKDIR /app\nCOPY . .\n', 'Dockerfile');
    expect(appRootsOf({ model })).toEqual([{ path: '/app', detail: 'COPY . . (line 3)' }]);
  });
});
