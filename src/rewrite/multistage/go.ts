/**
 * Go: the builder is the original stage with the module files copied and
 * downloaded before the sources, and the build made static and small
 * (`CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/<name>`); the
 * final image is scratch with the binary, the CA bundle and a numeric
 * non-root USER, as in 《容器化：如何将镜像体积缩减 90%？》 (903 MB → 6.6 MB) and
 * 《精简 Docker 镜像》.
 */
import { posix } from 'node:path';
import type { DockerfileModel, RunInstruction, ShellCommand, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES, citeArticle } from '../../knowledge/articles.js';
import { isGoBuild } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import { sourceNamesManifest } from '../../knowledge/ecosystems.js';
import { cgoDisabled, commandsAfter, variableFor, workdirAt } from '../../rules/base/builds.js';
import { type BuilderPlan, builderName } from './builder.js';
import {
  assignmentValue,
  type CommandWords,
  prependToValue,
  replaceCommand,
  splitCommand,
} from './command-edit.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { dynamicBase, libcOf, nativeFinalStage, staticBase } from './native.js';
import {
  contextCopies,
  contextRelative,
  copiesWholeContext,
  copyDestination,
  leadingWords,
  resolvePath,
  type StartCommands,
  shellFeatures,
  startCommands,
  workdirBefore,
} from './shared.js';
import type { ConversionContext } from './types.js';

/** go build flags that take a value as the next word. */
const VALUE_FLAGS = new Set([
  'o',
  'p',
  'ldflags',
  'gcflags',
  'asmflags',
  'tags',
  'mod',
  'modfile',
  'overlay',
  'pkgdir',
  'buildmode',
  'compiler',
  'gccgoflags',
  'installsuffix',
  'pgo',
  'toolexec',
  'covermode',
  'coverpkg',
  'C',
]);

/** ENV keys that only configure the Go build. */
function isGoBuildEnv(key: string): boolean {
  return /^(?:CGO_\w+|GO(?:OS|ARCH|ARM|AMD64|386|MIPS|PPC64|PATH|PROXY|FLAGS|111MODULE|CACHE|MODCACHE|BIN|PRIVATE|NOSUMDB|NOPROXY|SUMDB|TOOLCHAIN|INSECURE|ROOT|EXPERIMENT|WORK|ENV))$/.test(
    key,
  );
}

function goBuilds(stage: Stage): Array<{ run: RunInstruction; command: ShellCommand }> {
  const result: Array<{ run: RunInstruction; command: ShellCommand }> = [];
  for (const run of stage.instructions.filter(isRun)) {
    for (const command of run.script.commands) {
      if (isGoBuild(command)) result.push({ run, command });
    }
  }
  return result;
}

interface ParsedBuild {
  words: CommandWords;
  /** Index in words.args of `build`. */
  buildIndex: number;
  flags: Map<string, { index: number; value: string; inline: boolean }>;
  packages: string[];
  /** Indexes in words.args of the package operands. */
  packageIndexes: Set<number>;
}

function parseBuild(words: CommandWords): ParsedBuild | undefined {
  const buildIndex = words.args.findIndex((token) => !token.value.startsWith('-'));
  if (buildIndex === -1 || words.args[buildIndex]!.value !== 'build') return undefined;
  const flags = new Map<string, { index: number; value: string; inline: boolean }>();
  const packages: string[] = [];
  const packageIndexes = new Set<number>();
  for (let i = buildIndex + 1; i < words.args.length; i++) {
    const value = words.args[i]!.value;
    if (!value.startsWith('-') || value === '-') {
      packages.push(value);
      packageIndexes.add(i);
      continue;
    }
    const name = value.replace(/^--?/, '');
    const eq = name.indexOf('=');
    if (eq !== -1) {
      flags.set(name.slice(0, eq), { index: i, value: name.slice(eq + 1), inline: true });
    } else if (VALUE_FLAGS.has(name)) {
      flags.set(name, { index: i, value: words.args[i + 1]?.value ?? '', inline: false });
      i++;
    } else {
      flags.set(name, { index: i, value: 'true', inline: false });
    }
  }
  return { words, buildIndex, flags, packages, packageIndexes };
}

/** The binary's name for a package argument, as `go build` names it. */
function binaryName(
  pkg: string | undefined,
  moduleName: string | undefined,
  fallback: string | undefined,
): string | undefined {
  if (pkg?.endsWith('.go')) return posix.basename(pkg).replace(/\.go$/, '');
  if (pkg && pkg !== '.' && pkg !== './') return importBase(pkg);
  return moduleName ?? fallback;
}

/** `example.com/app/v2` → `app`; `./cmd/server` → `server`. */
function importBase(path: string): string {
  const parts = path.replace(/\/+$/, '').split('/');
  let last = parts.pop() ?? path;
  if (/^v\d+$/.test(last) && parts.length > 0) last = parts.pop()!;
  return last;
}

/** `module example.com/x` of a go.mod in the context, searched from `relative` up to the root. */
function moduleOf(context: ConversionContext | undefined, relative: string | undefined): string | undefined {
  if (!context?.read || relative === undefined) return undefined;
  const parts = relative === '' ? [] : relative.split('/');
  for (let n = parts.length; n >= 0; n--) {
    const path = [...parts.slice(0, n), 'go.mod'].join('/');
    const text = context.read(path);
    const module = text ? /^\s*module\s+("?)([^\s"]+)\1/m.exec(text)?.[2] : undefined;
    if (module) return importBase(module);
  }
  return undefined;
}

function needsZoneinfo(stage: Stage, context: ConversionContext | undefined): boolean {
  if ('TZ' in stage.env || 'ZONEINFO' in stage.env) return true;
  if (!context?.read) return false;
  const goFiles = context.files.filter((path) => path.endsWith('.go') && !/(?:^|\/)vendor\//.test(path));
  for (const path of goFiles.slice(0, 500)) {
    const text = context.read(path);
    if (!text) continue;
    if (/"time\/tzdata"/.test(text)) return false;
    if (/\btime\.LoadLocation\b/.test(text)) return true;
  }
  return false;
}

/** Top-level context entries an app commonly reads at run time, which scratch will not have. */
const RUNTIME_FILES =
  /^(?:templates?|static|public|assets|web|www|views|migrations|config|configs|locales?|i18n)\//;

interface GoFacts {
  start: StartCommands;
  finalWorkdir: string | undefined;
  /** The build whose output the container starts. */
  build: {
    run: RunInstruction;
    command: ShellCommand;
    parsed: ParsedBuild;
    name: string;
    outputPath: string | undefined;
  };
}

interface GoBuilt {
  staticBuild: boolean;
  /** Where the builder leaves the binary. */
  builderOut: string;
}

function precheck({ model, stage, options }: ConversionInput): GoFacts | Refused {
  const start = startCommands([stage]);
  const lead = leadingWords(start);
  const finalWorkdir = workdirBefore(model, stage, Number.POSITIVE_INFINITY);
  const program = lead?.[0];

  const leadInstruction = (start.entrypoint ?? start.cmd)?.instruction;
  if (leadInstruction && !lead) return { error: shellFeatures(leadInstruction) };
  const builds = goBuilds(stage).filter(({ command }) => subcommand(command) === 'build');
  if (builds.length === 0) {
    return {
      error:
        goBuilds(stage).length > 0
          ? '`go install` puts the binary in GOBIN/GOPATH; pare follows `go build -o` only'
          : 'no go build',
    };
  }

  let chosen: GoFacts['build'] | undefined;
  let lastProblem =
    'the go build command cannot be edited (exec-form RUN, inside sh -c, conditional or redirected)';
  for (const { run, command } of builds) {
    const words = splitCommand(model, run, command);
    const parsed = words ? parseBuild(words) : undefined;
    if (!parsed) continue;
    if (parsed.flags.has('C')) {
      lastProblem = '`go build -C` changes directory; not followed';
      continue;
    }
    if (parsed.packages.length > 1 && !parsed.packages.every((pkg) => pkg.endsWith('.go'))) {
      lastProblem = 'go build of several packages writes several binaries; not followed';
      continue;
    }
    const cwd = workdirAt(model, run, command);
    const out = parsed.flags.get('o')?.value;
    const contextDir = contextRelative(model, stage, cwd);
    const programName = program && posix.basename(program);
    let name: string | undefined;
    let outputPath: string | undefined;
    if (out !== undefined && out !== '' && !out.endsWith('/')) {
      if (out.includes('$')) {
        lastProblem = `go build -o ${out} uses a variable; not followed`;
        continue;
      }
      name = posix.basename(out);
      outputPath = resolvePath(cwd, out);
    } else {
      name = binaryName(parsed.packages[0], moduleOf(options.context, contextDir), programName);
      const dir = out?.endsWith('/') ? resolvePath(cwd, out) : cwd;
      if (name && dir) outputPath = `${dir === '/' ? '' : dir}/${name}`;
    }
    if (!name) continue;
    if (!programMatches(program, finalWorkdir, name, outputPath)) {
      lastProblem = `${(start.entrypoint ?? start.cmd)?.instruction.keyword ?? 'CMD'} does not run the binary go build writes (${outputPath ?? name})`;
      continue;
    }
    chosen = { run, command, parsed, name, outputPath };
  }
  if (!start.entrypoint && !start.cmd) return { error: 'no CMD or ENTRYPOINT runs the built binary' };
  if (!chosen) return { error: lastProblem };
  return { start, finalWorkdir, build: chosen };
}

function planBuilder(
  { model, stage, options, log }: ConversionInput,
  { build }: GoFacts,
  plan: BuilderPlan,
): GoBuilt | Refused {
  const { run, command, parsed, name } = build;
  // cgo: off unless the Dockerfile turns it on explicitly.
  const staticBuild = cgoDisabled(model, run, command) !== false;
  const zoneinfo = options.zoneinfo ?? needsZoneinfo(stage, options.context);
  // Later commands that run or move the output where go build put it keep it there.
  const keepOutput = commandsAfter(model, { stage, run, command }).some((later) =>
    usesFile(later, name, build.outputPath),
  );
  const builderOut = keepOutput ? build.outputPath : `/out/${name}`;
  if (!builderOut)
    return { error: 'the directory go build writes to is not known (relative -o without WORKDIR)' };

  plan.edit(
    run.index,
    replaceCommand(
      command,
      buildText(model, run, command, parsed, {
        staticBuild,
        zoneinfo,
        output: keepOutput ? undefined : builderOut,
      }),
    ),
  );
  log.note(
    `go build ${staticBuild ? 'with CGO_ENABLED=0 (a static binary), ' : ''}-trimpath and -ldflags='-s -w' (no symbol tables or DWARF)${keepOutput ? '' : `, output ${builderOut}`}`,
  );
  if (zoneinfo)
    log.note('time zone database embedded in the binary (-tags timetzdata): TZ or time.LoadLocation is used');
  if (!staticBuild) {
    log.warn('CGO_ENABLED=1 is set explicitly: the binary stays dynamically linked against the builder libc');
  }
  addModuleDownload(model, stage, run, plan, options.context, log.notes);
  return { staticBuild, builderOut };
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { start, finalWorkdir, build }: GoFacts,
  { staticBuild, builderOut }: GoBuilt,
): FinalStage | Refused {
  const builderImage = stage.base;
  const choice = staticBuild
    ? staticBase(builderImage, options)
    : dynamicBase(builderImage, libcOf(builderImage) === 'musl' ? 'musl' : 'glibc', options);
  if ('error' in choice) return choice;
  log.absorb(choice);

  const builder = builderName(stage);
  const final = nativeFinalStage({
    model,
    stages: [stage],
    start,
    builder,
    builderPath: builderOut,
    finalPath: build.outputPath ?? `/usr/local/bin/${build.name}`,
    isArtifact: (word) => programMatches(word, finalWorkdir, build.name, build.outputPath),
    base: choice.base,
    options,
    caCertificates: options.caCertificates ?? true,
    dropEnv: isGoBuildEnv,
  });
  if ('error' in final) return final;
  log.absorb(final);
  log.lead(
    `multi-stage: ${builderImage.raw} builds, ${choice.base.image} runs only the binary, as in ${citeArticle(ARTICLES.cutBy90, { short: true })}`,
  );

  const assets = (options.context?.files ?? []).filter((path) => RUNTIME_FILES.test(path));
  if (assets.length > 0) {
    const dirs = [...new Set(assets.map((path) => path.split('/')[0]!))];
    log.warn(
      `the final image holds only the binary; ${dirs.map((d) => `${d}/`).join(', ')} from the context are not copied (embed them with go:embed or add COPY --from=${builder} if the app reads them at run time)`,
    );
  }
  return { stage: final.stage, base: choice.base.image, artifact: final.artifact };
}

export const goConverter: ConverterHooks<GoFacts, GoBuilt> = { precheck, planBuilder, chooseFinal };

/** Whether a start word runs the build output. */
function programMatches(
  word: string | undefined,
  cwd: string | undefined,
  name: string,
  outputPath: string | undefined,
): boolean {
  if (word === undefined || posix.basename(word) !== name) return false;
  if (!word.includes('/') || outputPath === undefined) return true;
  const resolved = resolvePath(cwd, word);
  return resolved === undefined || resolved === outputPath;
}

/** Commands whose bare operands are files (a bare `app` elsewhere, as in `useradd app`, is a name). */
const FILE_COMMANDS = new Set([
  'cp',
  'mv',
  'install',
  'ln',
  'rsync',
  'strip',
  'upx',
  'chmod',
  'chown',
  'ldd',
  'file',
  'tar',
  'sha256sum',
  'md5sum',
  'test',
]);

/** Whether a command runs or reads the build output. */
export function usesFile(command: ShellCommand, name: string, path: string | undefined): boolean {
  if (command.name === path || command.name === `./${name}` || command.name === name) return true;
  return command.args.some(
    (word) =>
      word === path ||
      (word.includes('/') && posix.basename(word) === name) ||
      (FILE_COMMANDS.has(command.program) && word === name),
  );
}

/** The new go build command text. */
function buildText(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  parsed: ParsedBuild,
  how: { staticBuild: boolean; zoneinfo: boolean; output: string | undefined },
): string {
  const { words } = parsed;
  const prefix: string[] = [];
  const cgoSet = assignmentValue(words.assignments, 'CGO_ENABLED');
  if (how.staticBuild && cgoSet !== '0' && cgoDisabled(model, run, command) !== true)
    prefix.push('CGO_ENABLED=0');
  for (const token of words.assignments) {
    if (how.staticBuild && token.value.startsWith('CGO_ENABLED=') && cgoSet !== '0') continue;
    prefix.push(token.text);
  }
  const head = words.args.slice(0, parsed.buildIndex + 1).map((token) => token.text);
  const skip = new Set<number>();
  const flag = (name: string) => parsed.flags.get(name);
  const valueIndex = (name: string) => {
    const item = flag(name)!;
    return item.inline ? item.index : item.index + 1;
  };
  const replaced = new Map<number, string>();

  const o = flag('o');
  if (o && how.output !== undefined) {
    skip.add(o.index);
    if (!o.inline) skip.add(o.index + 1);
  }
  const added: string[] = [];
  if (!flag('trimpath')) added.push('-trimpath');
  const ldflags = flag('ldflags');
  const missing = ['-s', '-w'].filter((word) => !(ldflags?.value ?? '').split(/\s+/).includes(word));
  if (!ldflags) added.push("-ldflags='-s -w'");
  else if (missing.length > 0) {
    const index = valueIndex('ldflags');
    const text = words.args[index]!.text;
    replaced.set(
      index,
      ldflags.inline
        ? text.replace(
            /^(--?ldflags=)(.*)$/s,
            (_, lead: string, value: string) => lead + prependToValue(value, missing.join(' ')),
          )
        : prependToValue(text, missing.join(' ')),
    );
  }
  if (how.zoneinfo) {
    const tags = flag('tags');
    if (!tags) added.push('-tags=timetzdata');
    else if (!tags.value.split(/[,\s]+/).includes('timetzdata')) {
      const index = valueIndex('tags');
      const text = words.args[index]!.text;
      replaced.set(index, `${text.replace(/(['"]?)$/, ',timetzdata$1')}`);
    }
  }
  const flags: string[] = [];
  const packages: string[] = [];
  for (let i = parsed.buildIndex + 1; i < words.args.length; i++) {
    if (skip.has(i)) continue;
    (parsed.packageIndexes.has(i) ? packages : flags).push(replaced.get(i) ?? words.args[i]!.text);
  }
  const output = how.output !== undefined ? ['-o', how.output] : [];
  if (packages.length === 0) packages.push('.');
  return [...prefix, words.name.text, ...head, ...added, ...flags, ...output, ...packages].join(' ');
}

/**
 * `COPY go.mod go.sum* ./` + `RUN go mod download` before the COPY of the
 * sources, so the module download is cached until go.mod changes
 * (《容器化：如何将镜像体积缩减 90%？》).
 */
function addModuleDownload(
  model: DockerfileModel,
  stage: Stage,
  build: RunInstruction,
  plan: BuilderPlan,
  context: ConversionContext | undefined,
  notes: string[],
): void {
  const copies = contextCopies(stage).filter((copy) => copy.index < build.index);
  if (copies.some((copy) => copy.sources.some((source) => sourceNamesManifest(source, 'go')))) return;
  const sources = copies.find(copiesWholeContext);
  if (!sources) return;
  if (variableFor(model, build, build.script.commands[0]!, 'GO111MODULE') === 'off') return;
  const files = context?.files;
  if (files && !files.includes('go.mod')) {
    notes.push('no go.mod in the build context: module download step not added');
    return;
  }
  if (files?.some((path) => path === 'vendor/modules.txt')) {
    notes.push('vendor/ in the build context: modules come from it, no download step');
    return;
  }
  const dest = copyDestination(model, stage, sources);
  if (dest === undefined) return;
  const cwd = workdirBefore(model, stage, sources.index);
  const destination = sources.destination.endsWith('/') ? sources.destination : `${sources.destination}/`;
  const sum = files ? (files.includes('go.sum') ? ['go.sum'] : []) : ['go.sum*'];
  const chown = sources.chown ? ` --chown=${sources.chown}` : '';
  plan.insertBefore(
    sources.index,
    `COPY${chown} go.mod ${sum.length > 0 ? `${sum.join(' ')} ` : ''}${destination}`,
    cwd === dest ? 'RUN go mod download' : `RUN cd ${dest} && go mod download`,
  );
  notes.push(
    'go.mod/go.sum copied and modules downloaded before the sources: the download layer stays cached until they change',
  );
}
