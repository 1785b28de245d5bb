import { classifyImage } from '../../catalog/base-images.js';
import { shippedStages } from '../../dockerfile/stages.js';
import { type DockerfileModel, isCommand, type RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import {
  BUILD_TOOL_INSTALLERS,
  DEV_PACKAGE,
  DEV_TOOLS,
  type DevTool,
  type Distro,
  RPM_MANAGERS,
} from '../../knowledge/packages.js';
import type { Rule, RuleFinding, SavingEstimate } from '../types.js';
import { distroAt, finalImageRuns, optionValue, packageOperands } from './common.js';
import { optionsWithValue, type PackageCommand, packageCommands } from './managers.js';

interface Installed {
  item: PackageCommand;
  /** Package names as written (versions stripped). */
  packages: string[];
  /** apk `--virtual NAME`: `apk del NAME` removes them all. */
  virtual?: string;
}

function packageName(spec: string): string | undefined {
  if (
    spec.startsWith('$') ||
    spec.includes('/') ||
    spec.endsWith('.deb') ||
    spec.endsWith('.rpm') ||
    spec.endsWith('.apk')
  )
    return undefined;
  const name = spec.split(/[=<>~@:]/)[0]!.toLowerCase();
  return name === '' ? undefined : name;
}

/** Installs of apt/apk/yum/dnf/zypper in a RUN, with their package names. */
function installs(run: RunInstruction): Installed[] {
  const result: Installed[] = [];
  for (const item of packageCommands(run)) {
    const view = { ...item.command, args: item.args };
    const options = optionsWithValue(item.tool);
    if ((item.tool === 'apt-get' || item.tool === 'apt') && item.action === 'install') {
      result.push({
        item,
        packages: packageOperands(view, options).flatMap((spec) => packageName(spec) ?? []),
      });
    } else if (item.tool === 'apk' && item.action === 'add') {
      const virtual = optionValue(item.args, '--virtual', '-t');
      result.push({
        item,
        packages: packageOperands(view, options).flatMap((spec) => packageName(spec) ?? []),
        ...(virtual ? { virtual } : {}),
      });
    } else if (item.tool in RPM_MANAGERS && item.action !== undefined) {
      const local = item.actionIndex - item.argsOffset;
      const rest = item.args.slice(local + 1).filter((arg) => !arg.startsWith('-'));
      if (item.action === 'groupinstall' || (item.action === 'group' && rest[0] === 'install')) {
        const group = (item.action === 'group' ? rest.slice(1) : rest).join(' ');
        result.push({ item, packages: [`@${group.toLowerCase().replace(/^@/, '').replace(/\s+/g, '-')}`] });
      } else if (item.action === 'install' || item.action === 'in') {
        result.push({
          item,
          packages: packageOperands(view, options).flatMap((spec) =>
            spec.startsWith('@') ? [spec.toLowerCase()] : (packageName(spec) ?? []),
          ),
        });
      }
    }
  }
  return result;
}

/** Package names removed later in the same RUN; `'*'` when an autoremove undoes every install. */
function removedLater(run: RunInstruction, after: number): Set<string> {
  const removed = new Set<string>();
  const commands = packageCommands(run).filter((item) => item.index > after);
  const marksAuto = run.script.commands.some(
    (command, index) => index > after && command.program === 'apt-mark' && command.args[0] === 'auto',
  );
  for (const item of commands) {
    const names = packageOperands({ ...item.command, args: item.args }, optionsWithValue(item.tool));
    const apt = item.tool === 'apt-get' || item.tool === 'apt';
    if (apt && (item.action === 'purge' || item.action === 'remove' || item.action === 'autoremove')) {
      for (const name of names) removed.add(packageName(name) ?? name);
      if (
        marksAuto &&
        (item.action === 'autoremove' || hasOption(item.args, '--auto-remove', '--autoremove'))
      )
        removed.add('*');
    } else if (item.tool === 'apk' && item.action === 'del') {
      for (const name of names) removed.add(packageName(name) ?? name);
    } else if (
      item.tool in RPM_MANAGERS &&
      (item.action === 'remove' ||
        item.action === 'erase' ||
        item.action === 'autoremove' ||
        item.action === 'rm')
    ) {
      for (const name of names) removed.add(packageName(name) ?? name);
    }
  }
  return removed;
}

/** Binaries the image runs: HEALTHCHECK, CMD and ENTRYPOINT of the shipped stages. */
function runtimeText(model: DockerfileModel): string {
  return shippedStages(model)
    .flatMap((stage) => stage.instructions)
    .filter(
      (item) => item.keyword === 'HEALTHCHECK' || item.keyword === 'CMD' || item.keyword === 'ENTRYPOINT',
    )
    .map((item) => item.source)
    .join('\n');
}

function usedAtRuntime(binaries: readonly string[], runtime: string): boolean {
  return binaries.some((binary) => runsBinary(binary).test(runtime));
}

/** Binaries come from the knowledge tables, a fixed set: each one's pattern is compiled once. */
const binaryPatterns = new Map<string, RegExp>();

/** The binary as a word of a command line: after a blank, quote, slash, `[` or comma. */
function runsBinary(binary: string): RegExp {
  let pattern = binaryPatterns.get(binary);
  if (!pattern) {
    pattern = new RegExp(`(?:^|[\\s"'/\\[,])${binary.replace(/\+/g, '\\+')}(?:$|[\\s"',\\]])`, 'm');
    binaryPatterns.set(binary, pattern);
  }
  return pattern;
}

function estimate(tools: DevTool[], distro: Distro): SavingEstimate | undefined {
  const alpine = distro === 'alpine';
  const names = new Set(tools.map((tool) => tool.name));
  const counted: string[] = [];
  let bytes = 0;
  for (const tool of tools) {
    if (tools.some((other) => other !== tool && other.includes?.includes(tool.name) && names.has(other.name)))
      continue;
    const size = alpine ? tool.alpineBytes : tool.debianBytes;
    if (size === undefined) continue;
    bytes += size;
    counted.push(`${tool.name} ≈ ${size >= 1e7 ? Math.round(size / 1e6) : (size / 1e6).toFixed(1)} MB`);
  }
  if (bytes === 0) return undefined;
  return {
    bytes,
    basis: `estimated: approximate installed sizes with dependencies on ${alpine ? 'Alpine 3.19+' : 'Debian bookworm-slim'}: ${counted.join(', ')}; -dev packages not counted`,
  };
}

/** Build tools a RUN installs with their installer script (`curl https://sh.rustup.rs | sh`). */
function installerScripts(run: RunInstruction, runtime: string): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const command of run.script.commands) {
    if ((command.program !== 'curl' && command.program !== 'wget') || command.conditional) continue;
    const installer = BUILD_TOOL_INSTALLERS.find((candidate) =>
      command.args.some((arg) => candidate.url.test(arg)),
    );
    if (!installer || usedAtRuntime(installer.binaries, runtime)) continue;
    findings.push({
      message: `installs ${installer.name} into the final image with an installer script; the image only needs what it builds`,
      range: command.range,
      hint: 'run the installer and the build in a builder stage and COPY --from only the result',
    });
  }
  return findings;
}

/** Whether a RUN installs packages (`items`, its installs) and removes build dependencies it installed (build-and-purge). */
function purgesBuildDependencies(run: RunInstruction, items: Installed[]): boolean {
  return items.length > 0 && removedLater(run, items[0]!.item.index).size > 0;
}

/** Network tools the build runs after installing them: they served a download, not the app. */
function usedByTheBuild(model: DockerfileModel, tool: DevTool, run: RunInstruction, after: number): boolean {
  return finalImageRuns(model).some(
    (other) =>
      other.index >= run.index &&
      other.script.commands.some(
        (command, index) => (other !== run || index > after) && tool.binaries.includes(command.program),
      ),
  );
}

/**
 * An image with no CMD or ENTRYPOINT of its own, on a base whose default
 * command is a shell (a distribution or a toolchain image): a base or tool
 * image for others to build on or run commands in, whose packages are its purpose.
 */
function isToolImage(model: DockerfileModel): boolean {
  const stages = shippedStages(model);
  if (stages.some((stage) => stage.instructions.some(isCommand))) return false;
  const entry = classifyImage(stages[0]!.base)?.entry;
  if (!entry) return false;
  if (entry.kind === 'toolchain') return true;
  // Language images start their interpreter; plain distributions start a shell.
  return entry.ecosystem === 'generic' && entry.kind !== 'runtime' && entry.kind !== 'distroless';
}

/**
 * Compilers, headers, editors and network/debug tools in the final image
 * cost space (gcc alone is ~130 MB with its dependencies) and attack
 * surface. What the image visibly needs is kept out of the report: tools the
 * HEALTHCHECK, CMD or ENTRYPOINT run, curl and wget unless the build itself
 * used them for a download, packages an image that purges its build
 * dependencies keeps on purpose, and everything in a base or tool image.
 */
export const devToolsInFinalImage: Rule = {
  meta: {
    id: 'dev-tools-in-final-image',
    title: 'Build or debugging tools installed in the final image',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.rightWay, ARTICLES.bestPractices, ARTICLES.minimize],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    if (isToolImage(model)) return findings;
    const runtime = runtimeText(model);
    const runs = finalImageRuns(model);
    const installedByRun = new Map(runs.map((run) => [run, installs(run)]));
    const purging = runs.filter((run) => purgesBuildDependencies(run, installedByRun.get(run)!));
    for (const run of runs) {
      for (const installer of installerScripts(run, runtime)) findings.push(installer);
      // The official images' discipline: build dependencies are purged in one RUN, runtime ones kept in another.
      if (purging.some((other) => other !== run)) continue;
      for (const installed of installedByRun.get(run)!) {
        // `if [ "$DEBUG" = 1 ]; then apt-get install …; fi` is an opt-in, not a default.
        if (installed.item.command.conditional) continue;
        const removed = removedLater(run, installed.item.index);
        if (removed.has('*') || (installed.virtual && removed.has(installed.virtual))) continue;
        const tools: DevTool[] = [];
        const names: string[] = [];
        for (const name of installed.packages) {
          if (removed.has(name)) continue;
          const tool = DEV_TOOLS.find((candidate) => candidate.pattern.test(name));
          if (tool) {
            if (usedAtRuntime(tool.binaries, runtime)) continue;
            if (tool.kind === 'network' && !usedByTheBuild(model, tool, run, installed.item.index)) continue;
            if (!tools.includes(tool)) tools.push(tool);
            names.push(name);
          } else if (DEV_PACKAGE.test(name)) {
            names.push(name);
          }
        }
        if (names.length === 0) continue;
        const saving = estimate(tools, distroAt(model, run));
        const heavy =
          names.some((name) => DEV_PACKAGE.test(name)) ||
          tools.some((tool) => tool.kind === 'build' || tool.kind === 'vcs') ||
          (saving?.bytes ?? 0) >= 10e6;
        const shown =
          names.length > 6
            ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`
            : names.join(', ');
        findings.push({
          message: `installs build/debug tools into the final image: ${shown}`,
          range: installed.item.command.range,
          ...(heavy ? {} : { severity: 'info' as const }),
          ...(saving ? { saving } : {}),
          hint: 'install them in a build stage and COPY only the result, or remove them in the same RUN (apt-get purge -y --auto-remove …, apk del …)',
        });
      }
    }
    return findings;
  },
};
