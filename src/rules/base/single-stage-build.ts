import { type Ecosystem, kindByName } from '../../catalog/base-images.js';
import { shippedStages } from '../../dockerfile/stages.js';
import type { DockerfileModel, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isCompilerLink, javaGoal } from '../../knowledge/build-commands.js';
import { type BuildEcosystem, buildOf } from '../../knowledge/build-ecosystems.js';
import { asksOnlyForInformation, subcommand } from '../../knowledge/command-flags.js';
import type { Rule, RuleFinding } from '../types.js';
import { finalBase, installedPackages, removedPackages, virtualName } from './builds.js';

/**
 * The image that ships is the image that compiled: go build, cargo build,
 * gcc/make, mvn/gradle, npm run build or pip installs that need compilers run
 * in the final image's own stages, so the toolchain (and sources, caches,
 * intermediate objects) ship with the app. 《Docker最佳实践：构建最小镜像》:
 * golang:alpine single stage 385 MB → 13.5 MB multi-stage; 《精简 Docker
 * 镜像》: multi-stage to scratch; 《Minimize Container Image Size》:
 * multi-stage, wheels built in a full image; 《容器化：如何将镜像体积缩减
 * 90%？》: 903 MB → 6.6 MB.
 */
export const singleStageBuild: Rule = {
  meta: {
    id: 'single-stage-build',
    title: 'The final image builds its own artifact (no multi-stage build)',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.bestPractices, ARTICLES.slimming, ARTICLES.minimize, ARTICLES.cutBy90],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    const reported = new Set<string>();
    const baseProvidesCompilers = baseHasCompilers(model);
    const runs = shippedStages(model).flatMap((stage) => stage.instructions.filter(isRun));
    /** Compiler packages installed in a final-image RUN and not removed in that same RUN. */
    const persistentCompilers: Array<{ run: RunInstruction; packages: string[] }> = [];

    for (const run of runs) {
      const transient = !baseProvidesCompilers && toolchainIsTransient(run);
      const installedHere = persistentCompilersOf(run);
      if (installedHere.length > 0) persistentCompilers.push({ run, packages: installedHere });
      for (const command of run.script.commands) {
        const build = classify(command);
        if (build) {
          // make/cmake only compile when a compiler is there (else they are task runners).
          const canCompile =
            build.ecosystem !== 'c' ||
            isCompilerLink(command) ||
            baseProvidesCompilers ||
            persistentCompilers.length > 0;
          if (canCompile && !transient && !reported.has(build.ecosystem)) {
            reported.add(build.ecosystem);
            findings.push({
              message: `${build.what} runs in the final image, which then ships ${build.ships}; ${build.advice}`,
              range: command.range,
              hint: HINTS[build.ecosystem],
            });
          }
          continue;
        }
        const installer = dependencyInstaller(command);
        if (installer && persistentCompilers.length > 0 && !reported.has(installer.ecosystem)) {
          reported.add(installer.ecosystem);
          const compilers = persistentCompilers.flatMap((item) => item.packages);
          const line = persistentCompilers[0]!.run.range.start.line + 1;
          findings.push({
            message: `${installer.what} compiles native extensions in the final image: ${unique(compilers).join(', ')} (installed on line ${line}) stay in it; build ${installer.artifact} in a builder stage and copy only the result`,
            range: command.range,
            hint: HINTS[installer.ecosystem],
          });
        }
      }
    }
    return findings;
  },
};

interface Build {
  ecosystem: Ecosystem;
  what: string;
  ships: string;
  advice: string;
}

/** What shipping each ecosystem's build costs, and the way out; the ecosystem itself comes from knowledge/build-ecosystems. */
const SHIPPED: Record<BuildEcosystem, { ships: string; advice: string } | undefined> = {
  go: {
    ships: 'the Go toolchain and module cache',
    advice: 'build in a builder stage and COPY --from only the binary onto scratch or distroless/static',
  },
  rust: {
    ships: 'the Rust toolchain and target/ directory',
    advice:
      'build in a builder stage and COPY --from only target/release/<bin> onto distroless/cc or scratch',
  },
  c: {
    ships: 'the compilers, headers and object files',
    advice: 'compile in a builder stage and COPY --from only the binary (and the shared libraries it needs)',
  },
  java: {
    ships: 'the JDK, the build tool and its ~/.m2 or ~/.gradle cache',
    advice: 'package in a builder stage and COPY --from only the jar onto a JRE image',
  },
  node: {
    ships: 'devDependencies and sources next to the build output',
    advice:
      'build in a builder stage and copy only the output and production node_modules (npm ci --omit=dev)',
  },
  // A pip install is a dependency step, judged below by the compilers it needs.
  python: undefined,
};

function classify(command: ShellCommand): Build | undefined {
  const sub = subcommand(command);
  const { program } = command;
  const build = buildOf(command);
  const shipped = build && SHIPPED[build.ecosystem];
  if (build && shipped)
    return { ecosystem: build.ecosystem, what: buildWords(build.ecosystem, command), ...shipped };
  if (program === 'dotnet' && (sub === 'publish' || sub === 'build')) {
    return {
      ecosystem: 'dotnet',
      what: `\`dotnet ${sub}\``,
      ships: 'the .NET SDK and obj/ folders',
      advice:
        'publish in an SDK stage and COPY --from the publish folder onto dotnet/aspnet or dotnet/runtime',
    };
  }
  return undefined;
}

/** The build as the message quotes it: `go build`, `make`, `mvn package`, `npm run build`. */
function buildWords(ecosystem: BuildEcosystem, command: ShellCommand): string {
  const { program, args } = command;
  switch (ecosystem) {
    case 'go':
    case 'rust':
      return `\`${program} ${subcommand(command)}\``;
    case 'c':
      return `\`${program}${program === 'cmake' ? ' --build' : program === 'meson' ? ' compile' : ''}\``;
    case 'java':
      return `\`${program}${javaGoal(command)}\``;
    default:
      return `\`${[program, ...args].join(' ')}\``;
  }
}

// ---- compilers that dependency installs need -------------------------------

const COMPILER_PACKAGES =
  /^(?:gcc(?:-\d+)?|g\+\+(?:-\d+)?|clang(?:-\d+)?|build-base|build-essential|make|musl-dev|libc-dev|libc6-dev|python3?-dev|python3\d*-devel|rust|cargo|gcc-c\+\+|golang(?:-go)?|go)$/;

const REAL_COMPILERS =
  /^(?:gcc(?:-\d+)?|g\+\+(?:-\d+)?|clang(?:-\d+)?|build-base|build-essential|gcc-c\+\+)$/;

/** Build packages a RUN installs and leaves installed; empty unless one of them is a C compiler. */
function persistentCompilersOf(run: RunInstruction): string[] {
  const removed = removedPackages(run);
  if (removed.has('*')) return [];
  const result: string[] = [];
  for (const install of installedPackages(run)) {
    const virtual = virtualName(install.command);
    if (virtual && removed.has(virtual)) continue;
    for (const pkg of install.packages) {
      if (COMPILER_PACKAGES.test(pkg) && !removed.has(pkg)) result.push(pkg);
    }
  }
  return result.some((pkg) => REAL_COMPILERS.test(pkg)) ? result : [];
}

/** The RUN installs a toolchain and removes it again: nothing of it stays in the layer. */
function toolchainIsTransient(run: RunInstruction): boolean {
  const installs = installedPackages(run);
  const installsCompilers = installs.some((install) =>
    install.packages.some((pkg) => COMPILER_PACKAGES.test(pkg)),
  );
  if (!installsCompilers) return false;
  const removed = removedPackages(run);
  if (removed.has('*')) return true;
  return installs.every((install) => {
    const virtual = virtualName(install.command);
    if (virtual && removed.has(virtual)) return true;
    return install.packages.every((pkg) => !COMPILER_PACKAGES.test(pkg) || removed.has(pkg));
  });
}

/** Bases that already carry compilers: toolchains and the full python/node/ruby images. */
function baseHasCompilers(model: DockerfileModel): boolean {
  const { match, image } = finalBase(model);
  // A base the catalogue does not know (a team's own `toolchains/gcc:13`) is judged by its name.
  if (!match) return kindByName(image) === 'toolchain';
  return match.entry.kind === 'toolchain' || match.entry.kind === 'full-distro';
}

interface Installer {
  ecosystem: Ecosystem;
  what: string;
  artifact: string;
}

function dependencyInstaller(command: ShellCommand): Installer | undefined {
  const sub = subcommand(command);
  const { program, args } = command;
  if (/^pip(?:3(?:\.\d+)?)?$/.test(program) && sub === 'install') {
    return {
      ecosystem: 'python',
      what: `\`${program} install\``,
      artifact: 'wheels (pip wheel -w /wheels) or a virtualenv',
    };
  }
  if (
    /^python(?:3(?:\.\d+)?)?$/.test(program) &&
    args[0] === '-m' &&
    args[1] === 'pip' &&
    args.includes('install')
  ) {
    return {
      ecosystem: 'python',
      what: '`python -m pip install`',
      artifact: 'wheels (pip wheel -w /wheels) or a virtualenv',
    };
  }
  if ((program === 'poetry' || program === 'pipenv') && (sub === 'install' || sub === 'sync')) {
    return { ecosystem: 'python', what: `\`${program} ${sub}\``, artifact: 'the virtualenv' };
  }
  if (program === 'uv' && (sub === 'sync' || (sub === 'pip' && args.includes('install')))) {
    return { ecosystem: 'python', what: `\`uv ${sub}\``, artifact: 'the virtualenv' };
  }
  if (
    (program === 'bundle' && (sub === 'install' || (sub === undefined && !asksOnlyForInformation(args)))) ||
    (program === 'gem' && sub === 'install')
  ) {
    return { ecosystem: 'ruby', what: `\`${program} install\``, artifact: 'the gems (vendor/bundle)' };
  }
  if (
    (program === 'npm' && (sub === 'ci' || sub === 'install' || sub === 'i')) ||
    (program === 'yarn' && (sub === undefined || sub === 'install'))
  ) {
    return { ecosystem: 'node', what: `\`${program} ${sub ?? 'install'}\``, artifact: 'node_modules' };
  }
  return undefined;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

const HINTS: Partial<Record<Ecosystem, string>> = {
  go: 'FROM golang:<v> AS build … RUN CGO_ENABLED=0 go build -o /out/app . ; FROM gcr.io/distroless/static-debian12 ; COPY --from=build /out/app /app',
  rust: 'FROM rust:<v> AS build … RUN cargo build --release ; FROM gcr.io/distroless/cc-debian12 ; COPY --from=build /src/target/release/<bin> /app',
  c: 'FROM gcc:<v> AS build … RUN make ; FROM debian:12-slim (or scratch when linked with -static) ; COPY --from=build /src/<bin> /usr/local/bin/',
  java: 'FROM maven:<v> AS build … RUN mvn -B package ; FROM eclipse-temurin:<java>-jre ; COPY --from=build /src/target/app.jar /app.jar',
  node: 'FROM node:<v> AS build … RUN npm ci && npm run build ; FROM node:<v>-slim ; COPY --from=build /app/dist ./dist ; RUN npm ci --omit=dev',
  dotnet:
    'FROM mcr.microsoft.com/dotnet/sdk:<v> AS build … RUN dotnet publish -c Release -o /out ; FROM mcr.microsoft.com/dotnet/aspnet:<v> ; COPY --from=build /out /app',
  python:
    'FROM python:<v> AS build … RUN pip wheel --wheel-dir /wheels -r requirements.txt ; FROM python:<v>-slim ; COPY --from=build /wheels /wheels ; RUN pip install --no-cache-dir /wheels/*',
  ruby: 'FROM ruby:<v> AS build … RUN bundle install ; FROM ruby:<v>-slim ; COPY --from=build /usr/local/bundle /usr/local/bundle',
};
