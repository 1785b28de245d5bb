import { posix } from 'node:path';
import type { BaseImageMatch, Linkage, SmallerAlternative } from '../../catalog/base-images.js';
import { alternativeImage, classifyImage, SIZE_BASIS } from '../../catalog/base-images.js';
import { shippedStages, startInstructions } from '../../dockerfile/stages.js';
import type { DockerfileModel } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isCargoBuild, isCompilerLink, isGoBuild } from '../../knowledge/build-commands.js';
import { startTimeWork } from '../../knowledge/start-commands.js';
import type { Rule, RuleFinding } from '../types.js';
import { approx, cgoDisabled, finalBase } from './builds.js';
import { isAllowed } from './policy.js';

/**
 * The final image starts FROM a toolchain (golang, rust, gcc, maven, a JDK, the
 * .NET SDK) or a full image (python/node/ruby without -slim, debian without
 * -slim): hundreds of MB of compilers and headers the running app never uses.
 * 《Docker最佳实践：构建最小镜像》: python 912 MB vs alpine 87 MB, go 707 MB →
 * 13 MB; 《精简 Docker 镜像》: alpine/distroless/scratch; 《Minimize Container
 * Image Size》: golang runtime not needed; 《容器化：如何将镜像体积缩减
 * 90%？》: golang:1.17 903 MB → 6.6 MB on scratch.
 */
export const toolchainBaseInFinalImage: Rule = {
  meta: {
    id: 'toolchain-base-in-final-image',
    title: 'Final image is based on a toolchain or full-distribution image',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.bestPractices, ARTICLES.slimming, ARTICLES.minimize, ARTICLES.cutBy90],
    judges: 'image',
  },
  check({ model, policy }) {
    const { stage, image, match } = finalBase(model);
    if (image.isScratch || image.unresolved || !match) return [];
    if (policy.allowed.length > 0 && isAllowed(image, policy.allowed)) return [];
    if (!isHeavy(match) || runsBuildTool(model)) return [];

    const { entry } = match;
    const linkage = nativeLinkage(model, match);
    const candidates =
      allowedAlternatives(policy.allowed, match, linkage) ?? catalogueAlternatives(match, linkage);
    const generic = entry.ecosystem === 'generic';
    // A plain distribution only gets its own slim variant; other alternatives depend on the app.
    const [best, second] = generic ? candidates.slice(0, 1) : candidates;
    const what = `${image.resolved} is ${describe(match)} (~${approx(entry.approxSize)}${detail(match)})`;
    const notAllowed =
      policy.allowed.length > 0
        ? `; it is not in the team's allowed bases (${policy.allowed.join(', ')})`
        : '';
    const finding: RuleFinding = {
      message: best
        ? generic
          ? `${what}; ${best.image} (~${approx(best.size)})${best.note ? ` has ${best.note}` : ' is smaller'}${notAllowed}`
          : `${what}; ${artifact(match, linkage)} runs on ${best.image} (${approxOrEmpty(best.size)})${
              second ? ` or ${second.image} (${approxOrEmpty(second.size)})` : ''
            }${notAllowed}`
        : `${what}: the final image ships its build tools${notAllowed}`,
      range: stage.from.range,
      hint: hint(match, best?.image),
    };
    if (best && entry.approxSize > best.size) {
      finding.saving = {
        bytes: entry.approxSize - best.size,
        basis: `approximate: ${entry.sizeOf} ~${approx(entry.approxSize)} minus ${best.image} ~${approx(best.size)} (${SIZE_BASIS}); the app's own files are the same on both`,
      };
    }
    return [finding];
  },
};

/** Toolchains always; full images when a slimmer image of the same software exists. */
function isHeavy(match: BaseImageMatch): boolean {
  const { entry } = match;
  if (entry.kind === 'toolchain') return true;
  if (entry.kind !== 'full-distro') return false;
  if (entry.ecosystem === 'python' || entry.ecosystem === 'node' || entry.ecosystem === 'ruby') return true;
  // debian → debian:*-slim, rockylinux → *-minimal; not ubuntu, which has no slim variant.
  return entry.smallerAlternatives.some((alt) =>
    alternativeImage(alt, match.tag).startsWith(`${entry.name}:`),
  );
}

const BUILD_TOOLS = new Set([
  'make',
  'cmake',
  'gcc',
  'g++',
  'cc',
  'clang',
  'javac',
  'mvn',
  'mvnw',
  'gradle',
  'gradlew',
]);

/** A final image whose command is the toolchain itself (a CI or builder image) needs it. */
function runsBuildTool(model: DockerfileModel): boolean {
  const words = effectiveCommand(model);
  const name = words[0];
  if (!name) return false;
  const program = posix.basename(name);
  const sub = words.slice(1).find((word) => !word.startsWith('-'));
  // `mvn spring-boot:run`, `go run`: the app, built at every start (builds-at-start), not a build image.
  if (startTimeWork(name, words.slice(1))) return false;
  if (BUILD_TOOLS.has(program)) return true;
  if (program === 'go' || program === 'cargo') return sub !== 'run';
  if (program === 'dotnet') return ['test', 'build', 'publish', 'watch', 'format'].includes(sub ?? '');
  return false;
}

/** The words the container starts with: the last ENTRYPOINT, else the last CMD, of the shipped image. */
function effectiveCommand(model: DockerfileModel): string[] {
  const { entrypoint, cmd } = startInstructions(model);
  const chosen = entrypoint ?? cmd;
  if (!chosen) return [];
  if (chosen.form === 'exec') return chosen.execArgs ?? [];
  const first = chosen.script?.commands[0];
  return first ? [first.name, ...first.args] : [];
}

/** How the native artifact built in the final image's stages is (or can be) linked. */
function nativeLinkage(model: DockerfileModel, match: BaseImageMatch): Linkage | undefined {
  const ecosystem = match.entry.ecosystem;
  if (ecosystem !== 'go' && ecosystem !== 'rust' && ecosystem !== 'c') return undefined;
  for (const stage of shippedStages(model)) {
    for (const run of stage.instructions.filter(isRun)) {
      for (const command of run.script.commands) {
        if (ecosystem === 'go' && isGoBuild(command)) {
          // Default cgo links glibc dynamically for net/os/user; the advice is to disable it.
          return cgoDisabled(model, run, command) === false ? 'dynamic' : 'static';
        }
        if (ecosystem === 'rust' && isCargoBuild(command)) {
          const target = command.args.find(
            (arg, i) => command.args[i - 1] === '--target' || arg.startsWith('--target='),
          );
          return target?.includes('musl') ? 'static' : 'dynamic';
        }
        if (ecosystem === 'c' && isCompilerLink(command)) {
          return command.args.includes('-static') ? 'static' : 'dynamic';
        }
      }
    }
  }
  return ecosystem === 'go' ? 'static' : 'dynamic';
}

interface Candidate {
  image: string;
  size: number;
  note?: string;
}

function approxOrEmpty(bytes: number): string {
  return bytes === 0 ? 'empty: just the binary' : `~${approx(bytes)}`;
}

function catalogueAlternatives(match: BaseImageMatch, linkage: Linkage | undefined): Candidate[] {
  return match.entry.smallerAlternatives
    .filter((alt: SmallerAlternative) => !linkage || !alt.linkage || alt.linkage === linkage)
    .filter((alt) => alt.approxSize < match.entry.approxSize)
    .map((alt) => ({
      image: alternativeImage(alt, match.tag),
      size: alt.approxSize,
      ...(alt.note ? { note: alt.note.replace(/^same packages /, 'the same packages ') } : {}),
    }));
}

/** With a team policy, suggest allowed bases that can run the artifact (smallest first). */
function allowedAlternatives(
  allowed: readonly string[],
  match: BaseImageMatch,
  linkage: Linkage | undefined,
): Candidate[] | undefined {
  if (allowed.length === 0) return undefined;
  const ecosystem = match.entry.ecosystem;
  const native = ecosystem === 'go' || ecosystem === 'rust' || ecosystem === 'c';
  const fits: Candidate[] = [];
  for (const pattern of allowed) {
    const other = classifyImage(pattern.replace(/\*/g, 'x'));
    if (!other || other.entry.approxSize >= match.entry.approxSize || other.entry.kind === 'toolchain')
      continue;
    const ok = native
      ? linkage === 'static' || other.entry.libc === match.entry.libc
      : other.entry.ecosystem === ecosystem;
    if (ok) fits.push({ image: pattern, size: other.entry.approxSize });
  }
  return fits.length > 0 ? fits.sort((a, b) => a.size - b.size) : undefined;
}

function describe(match: BaseImageMatch): string {
  const { entry } = match;
  if (entry.describes) return entry.describes;
  switch (entry.ecosystem) {
    case 'go':
      return 'a Go toolchain image';
    case 'rust':
      return 'a Rust toolchain image';
    case 'c':
      return entry.name === 'buildpack-deps'
        ? 'a full Debian with compilers and headers'
        : 'a C/C++ toolchain image';
    case 'java':
      return entry.name === 'maven' || entry.name === 'gradle'
        ? `a ${entry.name} build image with a JDK`
        : 'a JDK image';
    case 'dotnet':
      return 'the .NET SDK image';
    case 'python':
    case 'node':
    case 'ruby':
      return `the full ${entry.name} image`;
    default:
      return entry.kind === 'toolchain' ? 'a toolchain image' : 'a full distribution image';
  }
}

function detail(match: BaseImageMatch): string {
  const { ecosystem, describes } = match.entry;
  if (describes) return '';
  return ecosystem === 'python' || ecosystem === 'node' || ecosystem === 'ruby'
    ? ', Debian with compilers and headers'
    : '';
}

function artifact(match: BaseImageMatch, linkage: Linkage | undefined): string {
  switch (match.entry.ecosystem) {
    case 'go':
      return linkage === 'dynamic' ? 'the cgo binary' : 'the Go binary built with CGO_ENABLED=0';
    case 'rust':
      return linkage === 'static' ? 'the static musl release binary' : 'the release binary';
    case 'c':
      return linkage === 'static' ? 'the binary linked with -static' : 'the compiled binary';
    case 'java':
      return 'the jar';
    case 'dotnet':
      return 'the published app';
    case 'python':
    case 'node':
    case 'ruby':
      return 'the app';
    default:
      return 'the same software';
  }
}

function hint(match: BaseImageMatch, best: string | undefined): string {
  const to = best ?? 'a smaller runtime image';
  switch (match.entry.ecosystem) {
    case 'go':
      return `build in a stage (FROM ${match.entry.name}:… AS build; RUN CGO_ENABLED=0 go build -o /out/app .) and finish with FROM ${to}; COPY --from=build /out/app /app`;
    case 'rust':
      return `build with cargo build --release in a builder stage and COPY --from only target/release/<bin> onto ${to}`;
    case 'c':
      return `compile in a builder stage and COPY --from only the binary onto ${to}`;
    case 'java':
      return `package the jar in a builder stage and run it on ${to}`;
    case 'dotnet':
      return `dotnet publish in the SDK stage and COPY --from the publish folder onto ${to}`;
    case 'python':
      return `use ${to}; if some packages need compilers, build wheels in a full-image stage and install them in the slim stage`;
    case 'node':
      return `use ${to}; run npm ci and the build in a builder stage and copy the output and production node_modules`;
    case 'ruby':
      return `use ${to}; bundle install in a builder stage and copy vendor/bundle`;
    default:
      return `use ${to}`;
  }
}
