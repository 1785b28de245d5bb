import { describe, expect, it } from 'vitest';
import {
  familiarDockerReference,
  formatDockerReference,
  parseDockerReference,
  parseImageReference,
} from '../../src/image/reference.js';
import { PareError } from '../../src/util/errors.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['docker-archive:app.tar', { transport: 'docker-archive', path: 'app.tar' }],
    [
      'docker-archive:/tmp/app.tar:app:1.2',
      {
        transport: 'docker-archive',
        path: '/tmp/app.tar',
        select: { kind: 'name', name: { domain: 'docker.io', repository: 'library/app', tag: '1.2' } },
      },
    ],
    [
      'docker-archive:app.tar:ghcr.io/o/app',
      {
        transport: 'docker-archive',
        path: 'app.tar',
        select: { kind: 'name', name: { domain: 'ghcr.io', repository: 'o/app', tag: 'latest' } },
      },
    ],
    [
      'docker-archive:app.tar:@2',
      { transport: 'docker-archive', path: 'app.tar', select: { kind: 'index', index: 2 } },
    ],
    ['oci:./layout', { transport: 'oci', path: './layout' }],
    ['oci:layout:v1.0', { transport: 'oci', path: 'layout', select: { kind: 'ref', ref: 'v1.0' } }],
    ['oci:layout:@0', { transport: 'oci', path: 'layout', select: { kind: 'index', index: 0 } }],
    [
      'oci-archive:img.tar:latest',
      { transport: 'oci-archive', path: 'img.tar', select: { kind: 'ref', ref: 'latest' } },
    ],
    [
      'docker-daemon:alpine',
      {
        transport: 'docker-daemon',
        name: { domain: 'docker.io', repository: 'library/alpine', tag: 'latest' },
      },
    ],
    [
      'docker-daemon:localhost:5000/app:dev',
      { transport: 'docker-daemon', name: { domain: 'localhost:5000', repository: 'app', tag: 'dev' } },
    ],
    [
      `docker-daemon:app@${DIGEST}`,
      {
        transport: 'docker-daemon',
        name: { domain: 'docker.io', repository: 'library/app', digest: DIGEST },
      },
    ],
    [`docker-daemon:${DIGEST}`, { transport: 'docker-daemon', imageId: DIGEST }],
    [`docker-daemon:${'b'.repeat(64)}`, { transport: 'docker-daemon', imageId: `sha256:${'b'.repeat(64)}` }],
    [
      'alpine',
      { transport: 'registry', name: { domain: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
    ],
    [
      'user/app:1',
      { transport: 'registry', name: { domain: 'docker.io', repository: 'user/app', tag: '1' } },
    ],
    [
      'index.docker.io/library/alpine:3',
      { transport: 'registry', name: { domain: 'docker.io', repository: 'library/alpine', tag: '3' } },
    ],
    [
      'ghcr.io/org/team/app:v2',
      { transport: 'registry', name: { domain: 'ghcr.io', repository: 'org/team/app', tag: 'v2' } },
    ],
    [
      'localhost/app',
      { transport: 'registry', name: { domain: 'localhost', repository: 'app', tag: 'latest' } },
    ],
    [
      '127.0.0.1:5000/app:1',
      { transport: 'registry', name: { domain: '127.0.0.1:5000', repository: 'app', tag: '1' } },
    ],
    [
      `registry.example.com:443/a/b@${DIGEST}`,
      {
        transport: 'registry',
        name: { domain: 'registry.example.com:443', repository: 'a/b', digest: DIGEST },
      },
    ],
    [
      `app:1@${DIGEST}`,
      {
        transport: 'registry',
        name: { domain: 'docker.io', repository: 'library/app', tag: '1', digest: DIGEST },
      },
    ],
    [
      'docker://app.tar',
      { transport: 'registry', name: { domain: 'docker.io', repository: 'library/app.tar', tag: 'latest' } },
    ],
    [
      '[::1]:5000/app',
      { transport: 'registry', name: { domain: '[::1]:5000', repository: 'app', tag: 'latest' } },
    ],
    [
      'Registry/app',
      { transport: 'registry', name: { domain: 'Registry', repository: 'app', tag: 'latest' } },
    ],
    ['./image.tar', { transport: 'path', path: './image.tar' }],
    ['/var/images/layout', { transport: 'path', path: '/var/images/layout' }],
    ['app.tar', { transport: 'path', path: 'app.tar' }],
    ['../x', { transport: 'path', path: '../x' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual({ raw: text, ...expected });
  });

  it.each([
    ['', /empty/],
    [' alpine', /spaces/],
    ['Alpine', /must be lowercase/],
    ['alpine:', /invalid tag ""/],
    ['alpine:bad/tag', /invalid repository name component "bad"|invalid registry host/],
    ['alpine@sha256:abc', /invalid digest "sha256:abc"/],
    [`alpine@sha512:${'a'.repeat(128)}`, /unsupported digest algorithm/],
    ['a//b', /invalid repository name component ""/],
    ['-app', /invalid repository name component "-app"/],
    [`${'a'.repeat(64)}`, /image ID, not a repository/],
    ['docker-archive:', /needs a path/],
    ['docker-archive::app', /needs a path/],
    ['docker-archive:a.tar:', /empty image name/],
    [`docker-archive:a.tar:app@${DIGEST}`, /selected by name:tag, not digest/],
    ['oci:dir:@x', /not an image index/],
    ['docker-daemon:', /needs an image name or ID/],
    [`x/${'a'.repeat(256)}`, /longer than 255/],
  ])('rejects %j', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
    expect(() => parseImageReference(text)).toThrow(PareError);
  });
});

describe('docker references', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine', 'alpine'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['user/app:1', 'docker.io/user/app:1', 'user/app:1'],
    ['ghcr.io/o/app:1', 'ghcr.io/o/app:1', 'ghcr.io/o/app:1'],
  ])('%s formats as %s and %s', (text, full, familiar) => {
    const reference = parseDockerReference(text);
    expect(formatDockerReference(reference)).toBe(full);
    expect(familiarDockerReference(reference)).toBe(familiar);
  });
});
