import { afterEach, describe, expect, it } from 'vitest';
import {
  activeCatalogue,
  alternativeImage,
  BUILTIN_ENTRIES,
  builtinCatalogue,
  classifyImage,
  extend,
  kindByName,
  resetCatalogue,
  tagInfo,
} from '../../src/catalog/index.js';

function summary(image: string) {
  const match = classifyImage(image);
  if (!match) return undefined;
  const { entry } = match;
  return {
    name: entry.name,
    variant: match.variant,
    kind: entry.kind,
    libc: entry.libc,
    shell: entry.hasShell,
  };
}

describe('classifyImage', () => {
  it.each([
    ['python:3.12', 'python', 'full', 'full-distro', 'glibc'],
    ['python:3.12-slim', 'python', 'slim', 'slim', 'glibc'],
    ['python:3.12-slim-bookworm', 'python', 'slim', 'slim', 'glibc'],
    ['python:3.12-alpine3.19', 'python', 'alpine', 'alpine', 'musl'],
    ['python', 'python', 'full', 'full-distro', 'glibc'],
    ['node:20-alpine', 'node', 'alpine', 'alpine', 'musl'],
    ['node:20-bookworm-slim', 'node', 'slim', 'slim', 'glibc'],
    ['node:lts', 'node', 'full', 'full-distro', 'glibc'],
    ['ruby:3.3-slim', 'ruby', 'slim', 'slim', 'glibc'],
    ['golang:1.22', 'golang', 'full', 'toolchain', 'glibc'],
    ['golang:1.22-alpine', 'golang', 'alpine', 'toolchain', 'musl'],
    ['rust:1.78-slim-bookworm', 'rust', 'slim', 'toolchain', 'glibc'],
    ['gcc:13', 'gcc', 'full', 'toolchain', 'glibc'],
    ['buildpack-deps:bookworm', 'buildpack-deps', 'full', 'toolchain', 'glibc'],
    ['buildpack-deps:bookworm-curl', 'buildpack-deps', 'curl', 'full-distro', 'glibc'],
    ['maven:3.9-eclipse-temurin-21', 'maven', 'full', 'toolchain', 'glibc'],
    ['gradle:8.7-jdk21-alpine', 'gradle', 'alpine', 'toolchain', 'musl'],
    ['eclipse-temurin:21-jdk', 'eclipse-temurin', 'jdk', 'toolchain', 'glibc'],
    ['eclipse-temurin:21', 'eclipse-temurin', 'jdk', 'toolchain', 'glibc'],
    ['eclipse-temurin:21-jre', 'eclipse-temurin', 'jre', 'runtime', 'glibc'],
    ['eclipse-temurin:21-jre-alpine', 'eclipse-temurin', 'jre-alpine', 'alpine', 'musl'],
    ['openjdk:17-jdk-slim', 'openjdk', 'jdk', 'toolchain', 'glibc'],
    ['openjdk:11-jre-slim', 'openjdk', 'jre', 'runtime', 'glibc'],
    ['amazoncorretto:21-alpine', 'amazoncorretto', 'jdk-alpine', 'toolchain', 'musl'],
    ['php:8.3-fpm', 'php', 'debian', 'runtime', 'glibc'],
    ['php:8.3-fpm-alpine', 'php', 'alpine', 'alpine', 'musl'],
    ['mcr.microsoft.com/dotnet/sdk:8.0', 'dotnet/sdk', 'sdk', 'toolchain', 'glibc'],
    ['mcr.microsoft.com/dotnet/aspnet:8.0', 'dotnet/aspnet', 'runtime', 'runtime', 'glibc'],
    ['mcr.microsoft.com/dotnet/aspnet:8.0-alpine', 'dotnet/aspnet', 'alpine', 'alpine', 'musl'],
    [
      'mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled',
      'dotnet/runtime-deps',
      'chiseled',
      'distroless',
      'glibc',
    ],
    ['ubuntu:24.04', 'ubuntu', 'full', 'full-distro', 'glibc'],
    ['debian:12', 'debian', 'full', 'full-distro', 'glibc'],
    ['debian:12-slim', 'debian', 'slim', 'slim', 'glibc'],
    ['debian:bookworm-slim', 'debian', 'slim', 'slim', 'glibc'],
    ['rockylinux:9-minimal', 'rockylinux', 'minimal', 'slim', 'glibc'],
    ['almalinux:9', 'almalinux', 'full', 'full-distro', 'glibc'],
    ['centos:7', 'centos', 'full', 'full-distro', 'glibc'],
    ['fedora:40', 'fedora', 'full', 'full-distro', 'glibc'],
    ['alpine:3.20', 'alpine', 'alpine', 'alpine', 'musl'],
    ['busybox:1.36', 'busybox', 'glibc', 'slim', 'glibc'],
    ['busybox:1.36-musl', 'busybox', 'static', 'slim', 'none'],
    ['gcr.io/distroless/static-debian12', 'distroless/static', 'distroless', 'distroless', 'none'],
    ['gcr.io/distroless/static-debian12:nonroot', 'distroless/static', 'distroless', 'distroless', 'none'],
    ['gcr.io/distroless/base-debian12', 'distroless/base', 'distroless', 'distroless', 'glibc'],
    ['gcr.io/distroless/cc-debian12:debug', 'distroless/cc', 'debug', 'distroless', 'glibc'],
    ['gcr.io/distroless/python3-debian12', 'distroless/python3', 'distroless', 'distroless', 'glibc'],
    ['gcr.io/distroless/nodejs20-debian12', 'distroless/nodejs', 'distroless', 'distroless', 'glibc'],
    ['gcr.io/distroless/java17-debian12', 'distroless/java', 'distroless', 'distroless', 'glibc'],
    ['scratch', 'scratch', 'scratch', 'scratch', 'none'],
  ])('%s → %s/%s (%s, %s)', (image, name, variant, kind, libc) => {
    expect(summary(image)).toMatchObject({ name, variant, kind, libc });
  });

  it('knows which images have no shell', () => {
    expect(summary('scratch')?.shell).toBe(false);
    expect(summary('gcr.io/distroless/static-debian12')?.shell).toBe(false);
    expect(summary('gcr.io/distroless/static-debian12:debug')?.shell).toBe(true);
    expect(summary('mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled')?.shell).toBe(false);
    expect(summary('alpine:3.20')?.shell).toBe(true);
  });

  it('sees through registry mirrors and docker.io/library', () => {
    expect(summary('docker.io/library/golang:1.22')?.name).toBe('golang');
    expect(summary('public.ecr.aws/docker/library/python:3.12-slim')).toMatchObject({
      name: 'python',
      variant: 'slim',
    });
    expect(summary('mirror.gcr.io/library/node:20-alpine')).toMatchObject({
      name: 'node',
      variant: 'alpine',
    });
  });

  it("sees through pull-through caches that keep Docker Hub's library/ path under their own prefix", () => {
    expect(summary('harbor.corp.example/dockerhub-proxy/library/golang:1.22')?.name).toBe('golang');
    expect(
      summary('123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/node:20-slim'),
    ).toMatchObject({ name: 'node', variant: 'slim' });
  });

  it('does not guess unknown or unresolved images', () => {
    expect(classifyImage('registry.corp.example/team/runtime:1')).toBeUndefined();
    expect(classifyImage('bitnami/python:3.12')).toBeUndefined();
  });

  it('is case-insensitive on tags', () => {
    expect(summary('python:3.12-SLIM')?.variant).toBe('slim');
  });
});

describe('tag info and alternatives', () => {
  it('reads versions and Java releases from tags', () => {
    expect(tagInfo('3.12-slim-bookworm')).toMatchObject({ version: '3.12' });
    expect(tagInfo('latest').version).toBe('');
    expect(tagInfo('alpine3.19').version).toBe('');
    expect(tagInfo('lts-alpine').version).toBe('lts');
    expect(tagInfo('3.9-eclipse-temurin-21').java).toBe('21');
    expect(tagInfo('8.7-jdk17').java).toBe('17');
    expect(tagInfo('3.9.6').java).toBeUndefined();
    expect(tagInfo('21.0.3_9-jdk', true).java).toBe('21');
    expect(tagInfo('8u402-b06-jdk', true).java).toBe('8');
  });

  it.each([
    ['python:3.12', 'python:3.12-slim'],
    ['python:latest', 'python:slim'],
    ['node:20-bookworm', 'node:20-slim'],
    ['debian:bookworm', 'debian:bookworm-slim'],
    ['debian:latest', 'debian:stable-slim'],
    ['rockylinux:9.3', 'rockylinux:9.3-minimal'],
    ['maven:3.9-eclipse-temurin-21', 'eclipse-temurin:21-jre'],
    ['gradle:8-jdk17', 'eclipse-temurin:17-jre'],
    ['eclipse-temurin:21-jdk-jammy', 'eclipse-temurin:21-jre'],
    ['mcr.microsoft.com/dotnet/sdk:8.0.204-bookworm-slim', 'mcr.microsoft.com/dotnet/aspnet:8.0'],
    ['golang:1.22', 'gcr.io/distroless/static-debian12'],
  ])('first smaller alternative of %s is %s', (image, expected) => {
    const match = classifyImage(image)!;
    const first = match.entry.smallerAlternatives[0]!;
    expect(alternativeImage(first, match.tag)).toBe(expected);
    expect(first.approxSize).toBeLessThan(match.entry.approxSize);
  });

  it('every builtin entry is consistent', () => {
    for (const entry of BUILTIN_ENTRIES) {
      expect(entry.approxSize, entry.name).toBeGreaterThanOrEqual(0);
      expect(entry.sizeOf, entry.name).toBeTruthy();
      if (entry.kind === 'scratch' || entry.kind === 'distroless')
        expect(entry.packageManager, entry.name).toBe('none');
      for (const alt of entry.smallerAlternatives) {
        expect(alt.approxSize, `${entry.name}:${entry.variant}`).toBeLessThan(entry.approxSize);
      }
    }
  });
});

describe('extend', () => {
  afterEach(() => resetCatalogue());

  it('adds config entries that take precedence, and reset restores the builtin catalogue', () => {
    expect(classifyImage('registry.corp.example/base/java:17-jre')).toBeUndefined();
    extend([
      {
        name: 'registry.corp.example/base/java:*-jre',
        size: 180e6,
        libc: 'glibc',
        hasShell: true,
        packageManager: 'apt',
      },
      {
        name: 'python:3.12-slim',
        size: 99e6,
        libc: 'glibc',
        hasShell: true,
        packageManager: 'apt',
        kind: 'slim',
        ecosystem: 'python',
      },
      { name: 'corp/static', size: 1e6, libc: 'none', hasShell: false, packageManager: 'none' },
    ]);
    const corp = classifyImage('registry.corp.example/base/java:17-jre');
    expect(corp?.entry).toMatchObject({
      source: 'config',
      approxSize: 180e6,
      libc: 'glibc',
      kind: 'runtime',
    });
    expect(classifyImage('registry.corp.example/base/java:17-jdk')).toBeUndefined();
    expect(classifyImage('python:3.12-slim')?.entry).toMatchObject({ source: 'config', approxSize: 99e6 });
    expect(classifyImage('python:3.11-slim')?.entry.source).toBe('builtin');
    expect(classifyImage('corp/static:2024')?.entry).toMatchObject({ kind: 'distroless', hasShell: false });
    resetCatalogue();
    expect(activeCatalogue()).toBe(builtinCatalogue);
    expect(classifyImage('registry.corp.example/base/java:17-jre')).toBeUndefined();
  });

  it('BaseImageCatalogue.extend does not touch the active catalogue', () => {
    const mine = builtinCatalogue.extend([
      { name: 'corp/base', size: 5e6, libc: 'musl', hasShell: true, packageManager: 'apk' },
    ]);
    expect(mine.classify('corp/base:1')?.entry.libc).toBe('musl');
    expect(classifyImage('corp/base:1')).toBeUndefined();
  });
});

describe('kindByName: what an unknown image is by its name alone', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["a team's own gcc toolchain", 'registry.acme.internal/toolchains/gcc:13', 'toolchain'],
    ['a private golang build image', 'corp.example/build/golang:1.22', 'toolchain'],
    ['a buildpack-deps under a team path', 'mirror.corp.example/ci/buildpack-deps:bookworm', 'toolchain'],
    ['the tag still decides the variant', 'corp.example/base/node:20-slim', 'slim'],
    ['a full node image under a private name', 'corp.example/base/node:20', 'full-distro'],
    ['a name no official image has', 'registry.acme.internal/platform/python-base:3.11', undefined],
    ['a known image is classified, not guessed', 'golang:1.22', undefined],
    ['an unresolved variable is not guessed', '${BASE}', undefined],
    ['scratch', 'scratch', undefined],
  ];
  it.each(cases)('%s: %s', (_name, image, kind) => {
    expect(kindByName(image)).toBe(kind);
  });
});
