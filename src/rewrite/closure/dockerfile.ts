/**
 * A Dockerfile whose final image is the app's runtime closure: the user's
 * stages unchanged (the shipped one named, when it has no name), then a pick
 * stage that copies the paths of the keep list out of the shipped stage with
 * GNU tar, then an empty final stage with only those paths and the shipped
 * image's config field for field.
 *
 * Nothing here needs more than the Dockerfile syntax Docker 20.10's built-in
 * frontend and podman read (no syntax directive, no frontend image to pull):
 * the pick runs in the shipped stage itself when it has a shell and GNU tar,
 * and otherwise in a stage that has them, with the shipped stage bind-mounted
 * (`RUN --mount=type=bind,from=…`, BuildKit and podman).
 */
import type { DockerfileModel } from '../../dockerfile/types.js';
import type { ContainerConfig } from '../../image/types.js';
import { jsonArray } from '../multistage/emit.js';
import { eolOf } from '../multistage/shared.js';
import { configInstructions } from './image-config.js';

/** Names of the stages pare adds, chosen so they do not clash with the user's. */
export const PICK_STAGE = 'pare-pick';
const APP_STAGE = 'pare-app';
/** Where the pick stage reads the list and writes what it picked. */
const LIST_IN_STAGE = '/.pare-keep';
const PICKED = '/.pare-closure';
const APP_MOUNT = '/.pare-app';

export type PickHost =
  /** The shipped stage has /bin/sh, GNU tar and sed: pick inside it. */
  | { kind: 'self' }
  /** Another stage of the file has them: pick there from the shipped stage, bind-mounted. */
  | { kind: 'stage'; stage: string };

export interface ClosureDockerfileInput {
  /** The Dockerfile whose last stage is the app (the rule fixes already applied). */
  model: DockerfileModel;
  /** The config of the image that stage builds (`docker image inspect`'s Config). */
  config: ContainerConfig;
  /** The keep list, relative to the build context, `/`-separated. */
  keepFile: string;
  /** How the keep list is called in the comments (as written beside the Dockerfile). */
  keepFileName: string;
  pickHost: PickHost;
  /** The final stage's base: `scratch`, or the smallest base the team allows. */
  base: string;
  /** Copy extended attributes (file capabilities) too. */
  xattrs?: boolean;
}

export interface ClosureDockerfile {
  text: string;
  /** The name of the stage the closure is picked from. */
  appStage: string;
}

export function closureDockerfile(input: ClosureDockerfileInput): ClosureDockerfile {
  const { model } = input;
  const eol = eolOf(model);
  const final = model.finalStage;
  let text = model.text;
  let appStage = final.name;
  if (!appStage) {
    // Name the shipped stage where its FROM line ends (flags and image kept as written).
    appStage = uniqueName(model, APP_STAGE);
    const end = final.from.range.end.offset;
    text = `${text.slice(0, end)} AS ${appStage}${text.slice(end)}`;
  }
  const root = input.pickHost.kind === 'self' ? '/' : APP_MOUNT;
  const tarFlags = `--numeric-owner${input.xattrs ? " --xattrs --xattrs-include='*'" : ''}`;
  const script = [
    'set -e',
    // Comments out, paths relative to the root tar reads from (`/` itself is `.`).
    `sed -e '/^#/d' -e 's,^/$,.,' -e 's,^/,,' -e 's,^--exclude=/,--exclude=,' ${LIST_IN_STAGE} > ${LIST_IN_STAGE}.tar-list`,
    `tar -C ${root} ${tarFlags} -cf ${PICKED}.tar -T ${LIST_IN_STAGE}.tar-list || { echo 'pare: ${input.keepFileName} names paths stage ${appStage} does not have: run pare optimize again' >&2; exit 1; }`,
    `mkdir ${PICKED}`,
    `tar -C ${PICKED} ${tarFlags} -xpf ${PICKED}.tar`,
    `rm ${PICKED}.tar`,
  ].join('; ');
  const pickFrom = input.pickHost.kind === 'self' ? appStage : input.pickHost.stage;
  const mount =
    input.pickHost.kind === 'self' ? '' : `--mount=type=bind,from=${appStage},target=${APP_MOUNT} `;
  const lines = [
    '',
    '# ---- added by pare optimize: the final image is the runtime closure of the app ----',
    `# Stage ${PICK_STAGE} copies the paths listed in ${input.keepFileName} out of stage ${appStage};`,
    `# the final stage starts from ${input.base} with only those paths and the config of ${appStage}.`,
    `FROM ${pickFrom} AS ${uniqueName(model, PICK_STAGE)}`,
    'USER 0:0',
    `COPY ${jsonArray([input.keepFile, LIST_IN_STAGE])}`,
    `RUN ${mount}${jsonArray(['/bin/sh', '-c', `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; ${script}`])}`,
    '',
    `FROM ${input.base}`,
    `COPY --from=${uniqueName(model, PICK_STAGE)} ${PICKED}/ /`,
    ...configInstructions(input.config, model.escape),
  ];
  const body = text.endsWith('\n') ? text : `${text}${eol}`;
  return { text: `${body}${lines.join(eol)}${eol}`, appStage };
}

/** `name`, or `name-2`… when the file already has a stage of that name. */
function uniqueName(model: DockerfileModel, name: string): string {
  const taken = new Set(model.stages.map((stage) => stage.name?.toLowerCase()));
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}-${n}`)) return `${name}-${n}`;
}
