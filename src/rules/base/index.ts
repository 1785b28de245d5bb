import type { Rule } from '../types.js';
import { buildsAtStart } from './builds-at-start.js';
import { cgoOnStaticBase } from './cgo-on-static-base.js';
import { copyBuildDirectory } from './copy-build-directory.js';
import { copyWholeFilesystem } from './copy-whole-filesystem.js';
import { goBuildFlags } from './go-build-flags.js';
import { onbuildBaseImage } from './onbuild-base-image.js';
import { shellFormCommand } from './shell-form-command.js';
import { singleStageBuild } from './single-stage-build.js';
import { staticBinaryOnDistroBase } from './static-binary-on-distro-base.js';
import { toolchainBaseInFinalImage } from './toolchain-base-in-final-image.js';
import { unpinnedBaseImage } from './unpinned-base-image.js';
import { unstrippedBinary } from './unstripped-binary.js';

export const baseRules: Rule[] = [
  toolchainBaseInFinalImage,
  staticBinaryOnDistroBase,
  singleStageBuild,
  buildsAtStart,
  onbuildBaseImage,
  copyWholeFilesystem,
  copyBuildDirectory,
  shellFormCommand,
  cgoOnStaticBase,
  goBuildFlags,
  unstrippedBinary,
  unpinnedBaseImage,
];
