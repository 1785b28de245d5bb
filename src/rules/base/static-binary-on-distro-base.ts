import { SIZE_BASIS } from '../../catalog/base-images.js';
import { shippedStages, startInstructions } from '../../dockerfile/stages.js';
import { isRun, type RunInstruction, type ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isCargoBuild, isCompilerLink, isGoBuild } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import type { Rule, RuleFinding } from '../types.js';
import { approx, artifactBuilds, buildsStaticBinary, finalBase } from './builds.js';
import { isAllowed } from './policy.js';

/** distroless/static: what a static binary needs from a base (CA certificates, tzdata, a nonroot user). */
const STATIC_BASE = 'gcr.io/distroless/static-debian12';
const STATIC_BASE_BYTES = 2_000_000;

/** Packages distroless/static already has: installing only these asks nothing of the distribution. */
const PROVIDED = new Set(['ca-certificates', 'tzdata']);

const SETUP = new Set([
  'useradd',
  'groupadd',
  'adduser',
  'addgroup',
  'mkdir',
  'chown',
  'chmod',
  'ln',
  'update-ca-certificates',
  'rm',
  'true',
  'set',
  'echo',
]);

/** A RUN of the final image that only sets up what distroless/static has anyway. */
function onlySetsUp(run: RunInstruction): boolean {
  return run.script.commands.every((command: ShellCommand) => {
    if (SETUP.has(command.program)) return true;
    if (command.program !== 'apt-get' && command.program !== 'apt' && command.program !== 'apk') return false;
    const sub = subcommand(command);
    if (sub === 'update' || sub === 'clean') return true;
    if (sub !== 'install' && sub !== 'add') return false;
    const packages = command.args.filter((arg) => !arg.startsWith('-') && arg !== sub);
    return packages.every((name) => PROVIDED.has(name));
  });
}

/**
 * A static binary (Go with CGO_ENABLED=0, Rust for musl, C with -static) copied
 * onto a whole distribution — ubuntu, debian, its slim variant, rockylinux —
 * that the image uses for nothing: no package but CA certificates and time
 * zones, no shell-form command. 《容器化：如何将镜像体积缩减 90%？》 takes such
 * a binary from 903 MB to 6.6 MB on scratch; distroless/static keeps the CA
 * certificates, tzdata and a nonroot user.
 */
export const staticBinaryOnDistroBase: Rule = {
  meta: {
    id: 'static-binary-on-distro-base',
    title: 'A static binary shipped on a whole Linux distribution it does not use',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.cutBy90, ARTICLES.slimming],
    judges: 'image',
  },
  check({ model, policy }) {
    const { stage, image, match } = finalBase(model);
    if (!match || image.unresolved) return [];
    const { entry } = match;
    const distribution =
      entry.ecosystem === 'generic' &&
      entry.libc === 'glibc' &&
      (entry.kind === 'full-distro' || entry.kind === 'slim');
    if (!distribution || (policy.allowed.length > 0 && isAllowed(image, policy.allowed))) return [];
    const runs = shippedStages(model).flatMap((item) => item.instructions.filter(isRun));
    if (!runs.every(onlySetsUp)) return [];
    const { entrypoint, cmd } = startInstructions(model);
    if ((entrypoint ?? cmd)?.form === 'shell') return [];
    const builds = artifactBuilds(
      model,
      (command) => isGoBuild(command) || isCargoBuild(command) || isCompilerLink(command),
    ).filter((build) => !build.inFinalImage);
    if (builds.length === 0) return [];
    if (!builds.every((build) => buildsStaticBinary(model, build.run, build.command) === true)) return [];
    const first = builds[0]!;
    const finding: RuleFinding = {
      message: `${image.resolved} (~${approx(entry.approxSize)}) is a whole distribution under a static binary (built at line ${
        first.run.range.start.line + 1
      }) that uses none of it: ${STATIC_BASE} (~2 MB, with CA certificates, tzdata and a nonroot user) or scratch runs it`,
      range: stage.from.range,
      hint: `FROM ${STATIC_BASE} (or scratch plus COPY of /etc/ssl/certs if it makes TLS calls); COPY --from the binary; USER nonroot:nonroot`,
    };
    if (entry.approxSize > STATIC_BASE_BYTES) {
      finding.saving = {
        bytes: entry.approxSize - STATIC_BASE_BYTES,
        basis: `approximate: ${entry.sizeOf} ~${approx(entry.approxSize)} minus ${STATIC_BASE} ~2 MB (${SIZE_BASIS})`,
      };
    }
    return [finding];
  },
};
