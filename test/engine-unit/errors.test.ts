import { describe, expect, it } from 'vitest';
import {
  BuildFailedError,
  ContainerStartError,
  looksLikeEngineGone,
  summariseBuildFailure,
} from '../../src/engine/errors.js';
import { EXIT_BAD_INPUT, isPareError } from '../../src/util/errors.js';

// Tails of real output from Debian's docker 20.10 (BuildKit and classic builder).
const FAILED_RUN = [
  '#5 0.423 building',
  '#5 0.425 make: *** [all] Error 2',
  '#5 ERROR: executor failed running [/bin/sh -c make]: exit code: 2',
  '------',
  ' > [2/2] RUN make:',
  '------',
  'executor failed running [/bin/sh -c make]: exit code: 2',
];
const MISSING_BASE = [
  '#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/pare-base/nope/manifests/1": dial tcp: lookup registry-1.docker.io: no such host',
  '------',
  ' > [internal] load metadata for docker.io/pare-base/nope:1:',
  '------',
  'failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head "https://registry-1.docker.io/v2/pare-base/nope/manifests/1": dial tcp: lookup registry-1.docker.io: no such host',
];
const PARSE_ERROR = [
  '#2 DONE 0.0s',
  'failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN',
];
const MISSING_COPY_SOURCE = [
  '#6 ERROR: "/missing.txt" not found: not found',
  '------',
  ' > [2/2] COPY missing.txt /:',
  '------',
  'failed to compute cache key: "/missing.txt" not found: not found',
];
const CLASSIC = [
  ' ---> Running in 2f9e991249b6',
  'building',
  '\u001b[91mmake: *** [all] Error 2',
  "\u001b[0mThe command '/bin/sh -c make' returned a non-zero code: 2",
];
const NEWER_BUILDKIT = [
  '#6 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
  '------',
  'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
];

// podman 4.3 (buildah 1.28): no verdict line the patterns know; the last line, without `Error: `.
const PODMAN_RUN = [
  'STEP 2/5: RUN echo "compiling" && exit 3',
  'compiling',
  'Error: building at STEP "RUN echo "compiling" && exit 3": while running runtime: exit status 3',
];

describe('summariseBuildFailure', () => {
  it.each([
    ['a failing RUN', FAILED_RUN, 'executor failed running [/bin/sh -c make]: exit code: 2'],
    [
      'a base image that cannot be pulled',
      MISSING_BASE,
      'failed to do request: Head "https://registry-1.docker.io/v2/pare-base/nope/manifests/1": dial tcp: lookup registry-1.docker.io: no such host',
    ],
    ['a Dockerfile syntax error', PARSE_ERROR, 'dockerfile parse error line 2: unknown instruction: RUNN'],
    [
      'a missing COPY source',
      MISSING_COPY_SOURCE,
      'failed to compute cache key: "/missing.txt" not found: not found',
    ],
    ['the classic builder', CLASSIC, "The command '/bin/sh -c make' returned a non-zero code: 2"],
    [
      'newer BuildKit',
      NEWER_BUILDKIT,
      'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    ],
    [
      'podman (buildah)',
      PODMAN_RUN,
      'building at STEP "RUN echo "compiling" && exit 3": while running runtime: exit status 3',
    ],
  ])('names the reason for %s', (_name, lines, expected) => {
    expect(summariseBuildFailure(lines)).toBe(expected);
  });

  it('falls back to the last line when there is no verdict', () => {
    expect(summariseBuildFailure(['step 1', 'ERROR: something odd', ''])).toBe('something odd');
    expect(summariseBuildFailure([])).toBe('no output');
  });
});

describe('BuildFailedError', () => {
  it("says the user's Dockerfile failed, not pare, on one line naming the Dockerfile", () => {
    const error = new BuildFailedError('/app/Dockerfile', summariseBuildFailure(FAILED_RUN), FAILED_RUN);
    expect(isPareError(error)).toBe(true);
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.line).toBe(
      '/app/Dockerfile: the Dockerfile failed to build (an error in the build, not in pare): executor failed running [/bin/sh -c make]: exit code: 2',
    );
    expect(error.line).not.toContain('\n');
    expect(error.output).toContain('#5 0.425 make: *** [all] Error 2');
  });
});

describe('ContainerStartError', () => {
  it('keeps the CLI exit code apart from the exit code pare exits with', () => {
    const error = new ContainerStartError('app:1', 'exec: "srv": executable file not found in $PATH', 127);
    expect(error.engineExitCode).toBe(127);
    expect(error.exitCode).toBe(EXIT_BAD_INPUT);
    expect(error.line).toBe(
      'app:1: the container failed to start: exec: "srv": executable file not found in $PATH',
    );
  });
});

describe('looksLikeEngineGone', () => {
  it('recognises a missing or dead daemon, and nothing else', () => {
    expect(
      looksLikeEngineGone(
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      ),
    ).toBe(true);
    expect(
      looksLikeEngineGone('error during connect: Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/build": EOF'),
    ).toBe(true);
    expect(looksLikeEngineGone(FAILED_RUN.join('\n'))).toBe(false);
  });
});
