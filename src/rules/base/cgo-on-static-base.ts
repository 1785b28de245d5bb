import type { Libc } from '../../catalog/base-images.js';
import { classifyImage } from '../../catalog/base-images.js';
import { rootImage, shippedStages, stageChain } from '../../dockerfile/stages.js';
import type { DockerfileModel, RunInstruction, ShellCommand, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { goFlag, isCargoBuild, isCompilerLink, isGoBuild } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import {
  type ArtifactBuild,
  artifactBuilds,
  cgoDisabled,
  commandSource,
  finalBase,
  goLinksStaticallyWithCgo,
  installedPackages,
  variableFor,
} from './builds.js';

/**
 * A binary linked against glibc does not start on scratch, distroless/static or
 * alpine: the kernel cannot find the dynamic loader, and the error is the
 * misleading `exec /app: no such file or directory`.
 * 《容器化：如何将镜像体积缩减 90%？》 (question 2: drop CGO_ENABLED=0 and the
 * alpine image fails; ubuntu works) and 《精简 Docker 镜像》 (`CGO_ENABLED=0 go
 * build … -extldflags "-static"` for scratch).
 */
export const cgoOnStaticBase: Rule = {
  meta: {
    id: 'cgo-on-static-base',
    title:
      'Dynamically linked binary copied onto a base without its libc (scratch, distroless/static, alpine)',
    severity: 'error',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.cutBy90],
    judges: 'build',
  },
  check({ model }) {
    const { image, match } = finalBase(model);
    if (image.unresolved) return [];
    const finalLibc: Libc | undefined = image.isScratch ? 'none' : match?.entry.libc;
    if (finalLibc === undefined || finalLibc === 'glibc') return [];
    if (finalLibc === 'musl' && installsGlibcCompat(model)) return [];
    const target = image.isScratch ? 'scratch' : image.resolved;
    const findings: RuleFinding[] = [];
    const builds = artifactBuilds(
      model,
      (command) => isGoBuild(command) || isCompilerLink(command) || isCargoBuild(command),
    ).filter((build) => !build.inFinalImage);
    for (const build of builds) {
      const builder = classifyImage(rootImage(model, build.stage));
      const builderLibc = builder?.entry.libc;
      if (!builderLibc || builderLibc === 'none' || builderLibc === finalLibc) continue;
      const line = build.copies[0]!.copy.range.start.line + 1;
      const where = `${target} (COPY on line ${line})`;
      const finding = check(model, build, builderLibc, where);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};

function check(
  model: DockerfileModel,
  build: ArtifactBuild,
  builderLibc: Libc,
  where: string,
): RuleFinding | undefined {
  const { run, command } = build;
  const libcName = builderLibc === 'glibc' ? 'glibc' : 'musl';
  if (isGoBuild(command)) {
    const disabled = cgoDisabled(model, run, command);
    if (disabled === true || goLinksStaticallyWithCgo(command)) return undefined;
    // golang:alpine has no C compiler: since Go 1.20 cgo is then off unless asked for.
    if (
      builderLibc === 'musl' &&
      disabled === undefined &&
      !installsCompiler(model, build.stage) &&
      !olderThanGo120(model, build.stage)
    ) {
      return undefined;
    }
    const explicit = disabled === false;
    const fix = explicit ? undefined : insertBefore(model, command, 'CGO_ENABLED=0 ');
    return {
      message: `go build ${explicit ? 'with CGO_ENABLED=1' : 'without CGO_ENABLED=0'} links ${libcName} dynamically (net, os/user use cgo); copied onto ${where} it will not start: "exec …: no such file or directory"`,
      range: command.range,
      ...(fix ? { fix } : {}),
      hint: explicit
        ? `cgo is required here: link statically (-ldflags '-linkmode external -extldflags "-static"') or use a ${libcName} base such as gcr.io/distroless/base-debian12`
        : 'CGO_ENABLED=0 go build … produces a static binary that runs on scratch',
    };
  }
  if (isCompilerLink(command)) {
    if (command.args.some((arg) => arg === '-static' || arg === '-static-pie' || arg === '--static'))
      return undefined;
    if (variableFor(model, run, command, 'LDFLAGS')?.includes('-static') && /\$\{?LDFLAGS/.test(command.text))
      return undefined;
    const fix = staticFix(model, command);
    return {
      message: `${command.program} links the binary dynamically against ${libcName}; copied onto ${where} it will not start: "exec …: no such file or directory"; link with -static`,
      range: command.range,
      ...(fix ? { fix } : {}),
      hint: `add -static (the builder needs the static libraries, e.g. libc6-dev / musl-dev), or use a ${libcName} base`,
    };
  }
  if (isCargoBuild(command)) {
    // `cargo install some-tool` builds a tool for the builder, not the artifact.
    if (installsRegistryCrate(command)) return undefined;
    const target = goFlag(command.args, 'target') ?? variableFor(model, run, command, 'CARGO_BUILD_TARGET');
    if (target !== undefined && !buildsForGlibc(target)) return undefined;
    if (builderLibc === 'musl') return undefined;
    if (variableFor(model, run, command, 'RUSTFLAGS')?.includes('crt-static')) return undefined;
    return {
      message: `cargo builds for the ${libcName} target${target ? ` ${target}` : ' by default'}; the binary copied onto ${where} will not start: "exec …: no such file or directory"`,
      range: command.range,
      hint: 'build for x86_64-unknown-linux-musl (rustup target add …; cargo build --release --target …) or use gcr.io/distroless/cc-debian12',
    };
  }
  return undefined;
}

/** `cargo install ripgrep`: a crate from a registry (not `--path .` or `--git`), i.e. a tool. */
function installsRegistryCrate(command: ShellCommand): boolean {
  if (subcommand(command) !== 'install') return false;
  return !command.args.some((arg) => arg === '--path' || arg.startsWith('--path=') || arg === '--git');
}

/**
 * Whether a Rust target triple links glibc: `x86_64-unknown-linux-gnu` (zigbuild
 * may add a glibc version, `.2.17`). musl, wasm, Windows and other targets do
 * not; a target computed at build time (`$(cat target.txt)`) is unknown, so not claimed.
 */
function buildsForGlibc(target: string): boolean {
  return /^[\w]+-[\w]+-linux-gnu\w*(?:\.[\d.]+)?$/.test(target);
}

/** `golang:1.16-alpine`: before Go 1.20 cgo stayed on without a C compiler (prebuilt net package). */
function olderThanGo120(model: DockerfileModel, stage: Stage): boolean {
  const image = rootImage(model, stage);
  const match = /^1\.(\d+)/.exec(image.tag ?? '');
  return image.repository === 'golang' && match !== null && Number(match[1]) < 20;
}

const COMPILERS = /^(?:gcc|g\+\+|clang|build-base|build-essential|musl-dev|libc-dev)$/;

function installsCompiler(model: DockerfileModel, stage: Stage): boolean {
  return stageChain(model, stage).some((s) =>
    s.instructions
      .filter(isRun)
      .some((run) => installedPackages(run).some((i) => i.packages.some((p) => COMPILERS.test(p)))),
  );
}

/** gcompat / libc6-compat in the final image let many glibc binaries run on alpine. */
function installsGlibcCompat(model: DockerfileModel): boolean {
  return shippedStages(model).some((stage) =>
    stage.instructions
      .filter(isRun)
      .some((run: RunInstruction) =>
        installedPackages(run).some((i) => i.packages.some((p) => p === 'gcompat' || p === 'libc6-compat')),
      ),
  );
}

/** Insert text right before the `go` word (after prefix assignments like GOOS=linux). */
function insertBefore(model: DockerfileModel, command: ShellCommand, text: string): TextEdit[] | undefined {
  if (command.nested || command.name !== 'go') return undefined;
  const source = commandSource(model, command);
  // Only prefix assignments may come before `go` (no wrappers such as sudo, which resets the environment).
  const match = /^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*go\s/.exec(source);
  if (!match) return undefined;
  const at = command.range.start.offset + match[0].length - 3;
  return [{ start: at, end: at, newText: text }];
}

const STATIC_SAFE_LIBS = /^-l(?:m|pthread|rt|stdc\+\+|c)$/;

/** ` -static` after the compiler name, when the link only uses libraries that exist as static archives. */
function staticFix(model: DockerfileModel, command: ShellCommand): TextEdit[] | undefined {
  if (command.nested) return undefined;
  if (command.args.some((arg) => arg.startsWith('-l') && !STATIC_SAFE_LIBS.test(arg))) return undefined;
  if (command.args.some((arg) => arg.includes('$') || arg.startsWith('`'))) return undefined;
  const source = commandSource(model, command);
  const match = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(\S+)/.exec(source);
  if (!match || !match[1]!.endsWith(command.program)) return undefined;
  const at = command.range.start.offset + match[0].length;
  return [{ start: at, end: at, newText: ' -static' }];
}
