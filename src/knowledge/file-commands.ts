/**
 * What a shell command creates or removes: files downloaded by wget/curl, repositories cloned by git, directories
 * made by mkdir, packages installed or removed by apt/apk/dnf/pip/npm/gem.
 */
import type { ShellCommand } from '../dockerfile/types.js';
import { pipArgs, urlFileName } from './ecosystems.js';

/** Splits short options that take a value out of an argument list, handling `-qO-` and `-o file`. */
function optionValues(
  args: readonly string[],
  shortWithValue: string,
  longWithValue: readonly string[],
): { options: Map<string, string[]>; flags: Set<string>; operands: string[] } {
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  const operands: string[] = [];
  const add = (name: string, value: string) => options.set(name, [...(options.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq !== -1) add(arg.slice(0, eq), arg.slice(eq + 1));
      else if (longWithValue.includes(arg)) add(arg, args[++i] ?? '');
      else flags.add(arg);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (shortWithValue.includes(letter)) {
          const rest = arg.slice(j + 1);
          add(`-${letter}`, rest !== '' ? rest : (args[++i] ?? ''));
          break;
        }
        flags.add(`-${letter}`);
      }
      continue;
    }
    operands.push(arg);
  }
  return { options, flags, operands };
}

const URL = /^(?:https?|ftp):\/\//i;

/** Files a wget or curl command writes (paths as written, relative ones to the command's directory). */
export function downloadedFiles(command: ShellCommand): string[] {
  if (command.program === 'wget') {
    const { options, operands } = optionValues(command.args, 'OoaPUtTweiBQlDXIAR', [
      '--output-document',
      '--directory-prefix',
      '--output-file',
      '--append-output',
      '--user-agent',
      '--header',
      '--tries',
      '--timeout',
      '--user',
      '--password',
      '--input-file',
      '--post-data',
      '--referer',
      '--ca-certificate',
    ]);
    const output = options.get('-O') ?? options.get('--output-document');
    if (output) return output.filter((path) => path !== '-' && path !== '/dev/null');
    const prefix = (options.get('-P') ?? options.get('--directory-prefix'))?.[0];
    return operands
      .filter((operand) => URL.test(operand))
      .map(urlFileName)
      .filter((name): name is string => name !== undefined)
      .map((name) => (prefix ? `${prefix.replace(/\/+$/, '')}/${name}` : name));
  }
  if (command.program === 'curl') {
    const { options, flags, operands } = optionValues(command.args, 'oudHXAemrTxbcEKwyYzCFUDQt', [
      '--output',
      '--output-dir',
      '--retry',
      '--retry-delay',
      '--retry-max-time',
      '--connect-timeout',
      '--max-time',
      '--header',
      '--user',
      '--data',
      '--data-binary',
      '--data-raw',
      '--request',
      '--proto',
      '--proto-redir',
      '--cacert',
      '--user-agent',
      '--referer',
      '--form',
      '--cookie',
      '--cookie-jar',
      '--write-out',
      '--limit-rate',
      '--resolve',
    ]);
    const dir = options.get('--output-dir')?.[0];
    const inDir = (name: string) => (dir ? `${dir.replace(/\/+$/, '')}/${name}` : name);
    const outputs = [...(options.get('-o') ?? []), ...(options.get('--output') ?? [])].filter(
      (path) => path !== '-' && path !== '/dev/null',
    );
    if (outputs.length > 0) return outputs.map(inDir);
    if (flags.has('-O') || flags.has('--remote-name') || flags.has('--remote-name-all')) {
      return operands
        .filter((operand) => URL.test(operand))
        .map(urlFileName)
        .filter((name): name is string => name !== undefined)
        .map(inDir);
    }
  }
  return [];
}

/** The directory `git clone` creates. */
export function clonedDirectory(command: ShellCommand): string | undefined {
  if (command.program !== 'git') return undefined;
  const clone = command.args.indexOf('clone');
  if (clone === -1 || command.args.slice(0, clone).some((arg) => !arg.startsWith('-'))) return undefined;
  const { operands } = optionValues(command.args.slice(clone + 1), 'bcojul', [
    '--branch',
    '--depth',
    '--config',
    '--origin',
    '--reference',
    '--reference-if-able',
    '--separate-git-dir',
    '--jobs',
    '--filter',
    '--upload-pack',
    '--template',
    '--shallow-since',
    '--shallow-exclude',
    '--server-option',
  ]);
  const [url, dir] = operands;
  if (dir !== undefined) return dir;
  if (url === undefined) return undefined;
  const name = url
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split(/[/:]/)
    .pop();
  return name === undefined || name === '' ? undefined : name;
}

/** Directories `mkdir` creates. */
export function madeDirectories(command: ShellCommand): string[] {
  if (command.program !== 'mkdir') return [];
  return optionValues(command.args, 'm', ['--mode', '--context']).operands;
}

export type PackageManager = 'apt' | 'apk' | 'rpm' | 'pip' | 'npm-global' | 'gem';

export interface PackageChange {
  manager: PackageManager;
  action: 'install' | 'remove';
  names: string[];
}

const APT = new Set(['apt-get', 'apt', 'aptitude']);
const RPM = new Set(['yum', 'dnf', 'microdnf', 'zypper', 'tdnf']);

function normalizePackage(manager: PackageManager, name: string): string | undefined {
  if (name === '' || name.includes('$') || /[*?[]/.test(name)) return undefined;
  switch (manager) {
    case 'apt':
      if (name.includes('/') && (name.startsWith('.') || name.startsWith('/') || name.endsWith('.deb')))
        return undefined;
      return name.replace(/[=/].*$/, '').replace(/:[a-z0-9]+$/, '');
    case 'apk':
      return name.replace(/[=<>~].*$/, '');
    case 'rpm':
      if (name.includes('/') || name.endsWith('.rpm')) return undefined;
      return name;
    case 'pip':
      if (name.includes('/') || name === '.' || /\.(?:whl|tar\.gz|zip)$/.test(name) || name.includes('://'))
        return undefined;
      return name
        .replace(/\[.*$/, '')
        .replace(/[<>=!~;@ ].*$/, '')
        .toLowerCase()
        .replace(/[_.]+/g, '-');
    case 'npm-global':
      if (name.includes('://') || name.startsWith('.') || name.startsWith('/')) return undefined;
      return name.replace(/(?!^)@.*$/, '');
    case 'gem':
      return name;
  }
}

function change(
  manager: PackageManager,
  action: PackageChange['action'],
  names: string[],
): PackageChange | undefined {
  const normalized = names
    .map((name) => normalizePackage(manager, name))
    .filter((name): name is string => name !== undefined);
  return normalized.length > 0 ? { manager, action, names: normalized } : undefined;
}

const packageChanges = new WeakMap<ShellCommand, PackageChange | null>();

/** Packages a command installs or removes, by manager (memoised per command). */
export function packageChange(command: ShellCommand): PackageChange | undefined {
  let result = packageChanges.get(command);
  if (result === undefined) {
    result = computePackageChange(command) ?? null;
    packageChanges.set(command, result);
  }
  return result ?? undefined;
}

function computePackageChange(command: ShellCommand): PackageChange | undefined {
  const { program } = command;
  if (APT.has(program)) {
    const { operands } = optionValues(command.args, 'otc', ['--target-release', '--option', '--config-file']);
    const [verb, ...names] = operands;
    if (verb === 'install') return change('apt', 'install', names);
    if (verb === 'purge' || verb === 'remove' || verb === 'autoremove') return change('apt', 'remove', names);
    return undefined;
  }
  if (program === 'dpkg') {
    const purge = command.args.findIndex((arg) => /^(?:-P|-r|--purge|--remove)$/.test(arg));
    return purge === -1
      ? undefined
      : change(
          'apt',
          'remove',
          command.args.slice(purge + 1).filter((arg) => !arg.startsWith('-')),
        );
  }
  if (program === 'apk') {
    const { options, operands } = optionValues(command.args, 'tXp', [
      '--virtual',
      '--repository',
      '--root',
      '--arch',
      '--cache-dir',
      '--keys-dir',
    ]);
    const [verb, ...names] = operands;
    if (verb === 'add')
      return change('apk', 'install', [
        ...names,
        ...(options.get('-t') ?? []),
        ...(options.get('--virtual') ?? []),
      ]);
    if (verb === 'del') return change('apk', 'remove', names);
    return undefined;
  }
  if (RPM.has(program)) {
    const { operands } = optionValues(command.args, '', [
      '--setopt',
      '--enablerepo',
      '--disablerepo',
      '--releasever',
      '--installroot',
    ]);
    const [verb, ...names] = operands;
    if (verb === 'install' || verb === 'in') return change('rpm', 'install', names);
    if (verb === 'remove' || verb === 'erase' || verb === 'rm' || verb === 'autoremove')
      return change('rpm', 'remove', names);
    return undefined;
  }
  if (program === 'rpm') {
    const erase = command.args.findIndex((arg) => arg === '-e' || arg === '--erase');
    return erase === -1
      ? undefined
      : change(
          'rpm',
          'remove',
          command.args.slice(erase + 1).filter((arg) => !arg.startsWith('-')),
        );
  }
  const pip = pipArgs(command);
  if (pip) {
    if (pip.some((arg) => /^-(?:r|c|e)$|^--(?:requirement|constraint|editable)/.test(arg))) return undefined;
    const { operands } = optionValues(pip, 'itfc', [
      '--index-url',
      '--extra-index-url',
      '--find-links',
      '--target',
      '--prefix',
      '--root',
      '--trusted-host',
      '--platform',
      '--python-version',
      '--implementation',
      '--abi',
      '--progress-bar',
      '--timeout',
      '--retries',
      '--cache-dir',
    ]);
    const [verb, ...names] = operands;
    if (verb === 'install') return change('pip', 'install', names);
    if (verb === 'uninstall') return change('pip', 'remove', names);
    return undefined;
  }
  if (
    program === 'npm' &&
    command.args.some((arg) => arg === '-g' || arg === '--global' || arg === '--location=global')
  ) {
    const { operands } = optionValues(command.args, '', ['--prefix', '--registry']);
    const [verb, ...names] = operands;
    if (verb === 'install' || verb === 'i' || verb === 'add') return change('npm-global', 'install', names);
    if (verb === 'uninstall' || verb === 'remove' || verb === 'rm' || verb === 'un' || verb === 'r')
      return change('npm-global', 'remove', names);
    return undefined;
  }
  if (program === 'gem') {
    const { operands } = optionValues(command.args, 'vi', ['--version', '--install-dir', '--source']);
    const [verb, ...names] = operands;
    if (verb === 'install') return change('gem', 'install', names);
    if (verb === 'uninstall') return change('gem', 'remove', names);
  }
  return undefined;
}

/** `npm ci` / `npm install` without package names, in a project directory. */
export function installsNodeProject(command: ShellCommand): boolean {
  if (command.program !== 'npm' || command.args.some((arg) => arg === '-g' || arg === '--global'))
    return false;
  const verbs = command.args.filter((arg) => !arg.startsWith('-'));
  return verbs[0] === 'ci' || ((verbs[0] === 'install' || verbs[0] === 'i') && verbs.length === 1);
}

/** `npm prune` (with or without --production / --omit=dev). */
export function prunesNodeProject(command: ShellCommand): boolean {
  return command.program === 'npm' && command.args.filter((arg) => !arg.startsWith('-'))[0] === 'prune';
}
