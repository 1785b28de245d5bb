import { shippedStages } from '../../dockerfile/stages.js';
import type { CopyInstruction, DockerfileModel } from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import {
  isArchiveOrPackageName,
  isGitSource,
  isRemoteSource,
  urlFileName,
  urlPath,
} from '../../knowledge/ecosystems.js';
import { absolutePath } from '../../util/image-path.js';
import type { Rule, RuleFinding } from '../types.js';
import { commandDirectories, hasVariable, isWithin, workdirAt } from './paths.js';

/** Commands that unpack, install or delete a downloaded file. */
const CONSUMERS = new Set([
  'tar',
  'unzip',
  'gunzip',
  'bunzip2',
  'unxz',
  'zstd',
  '7z',
  'dpkg',
  'rpm',
  'rm',
  'apk',
  'sh',
  'bash',
  'pip',
  'pip3',
  'gzip',
  'xz',
]);

/**
 * `ADD https://…/node.tar.gz /tmp/` keeps the downloaded archive in its own
 * layer (remote archives are not unpacked), and the RUN that unpacks and
 * deletes it afterwards cannot take those bytes back.
 */
export const addRemoteArchive: Rule = {
  meta: {
    id: 'add-remote-archive',
    title: 'ADD of a remote archive keeps the archive in a layer',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.minimize],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const stage of shippedStages(model)) {
      for (const instruction of stage.instructions) {
        if (!isCopyOrAdd(instruction) || instruction.keyword !== 'ADD') continue;
        for (const url of instruction.sources) {
          if (!isRemoteSource(url) || isGitSource(url)) continue;
          const archive = isArchiveOrPackageName(urlPath(url));
          const consumer = archive ? undefined : laterConsumer(model, instruction, url);
          if (!archive && !consumer) continue;
          const name = urlFileName(url) ?? url;
          const why = consumer
            ? `; \`${consumer}\` uses it later, but its bytes stay in the ADD layer`
            : ': the archive stays in the image even if a later RUN unpacks and deletes it';
          findings.push({
            message: `ADD downloads ${name} into a layer of its own${why}`,
            range: instruction.range,
            hint: hintFor(url, name, instruction.destination),
          });
        }
      }
    }
    return findings;
  },
};

/** A later RUN of the final image that unpacks/installs/deletes what the ADD downloaded. */
function laterConsumer(model: DockerfileModel, add: CopyInstruction, url: string): string | undefined {
  const workdir = workdirAt(model, add);
  if (workdir === undefined || hasVariable(add.destination)) return undefined;
  const name = urlFileName(url);
  const destination = absolutePath(workdir, add.destination);
  const target = add.destination.endsWith('/') && name ? absolutePath(destination, name) : destination;
  for (const stage of shippedStages(model)) {
    for (const instruction of stage.instructions) {
      if (instruction.index <= add.index || !isRun(instruction)) continue;
      const directories = commandDirectories(instruction, workdirAt(model, instruction));
      for (const command of instruction.script.commands) {
        if (!CONSUMERS.has(command.program)) continue;
        const cwd = directories.get(command);
        for (const arg of command.args) {
          if (arg.startsWith('-') || hasVariable(arg) || (cwd === undefined && !arg.startsWith('/')))
            continue;
          if (isWithin(absolutePath(cwd ?? '/', arg), target))
            return command.text.length > 40 ? `${command.text.slice(0, 37)}…` : command.text;
        }
      }
    }
  }
  return undefined;
}

function hintFor(url: string, name: string, destination: string): string {
  const dir = destination.endsWith('/') ? destination : `${destination.replace(/[^/]*$/, '') || '/'}`;
  if (/\.(?:tar\.gz|tgz)$/i.test(name))
    return `download and unpack in one RUN: RUN curl -fsSL ${url} | tar -xz -C ${dir} (or ADD --checksum=… in a build stage and COPY the result)`;
  if (/\.(?:tar\.xz|txz)$/i.test(name))
    return `download and unpack in one RUN: RUN curl -fsSL ${url} | tar -xJ -C ${dir}`;
  if (/\.(?:tar\.bz2|tbz2?)$/i.test(name))
    return `download and unpack in one RUN: RUN curl -fsSL ${url} | tar -xj -C ${dir}`;
  if (/\.zip$/i.test(name))
    return `download, unpack and delete in one RUN: RUN curl -fsSLo /tmp/${name} ${url} && unzip /tmp/${name} -d ${dir} && rm /tmp/${name}`;
  if (/\.deb$/i.test(name))
    return `download, install and delete in one RUN: RUN curl -fsSLo /tmp/${name} ${url} && apt-get install -y /tmp/${name} && rm /tmp/${name}`;
  return `download, use and delete it in one RUN (curl/wget … && … && rm), or ADD it in a build stage and COPY only the result`;
}
