import type { Rule } from '../types.js';
import { addLocalFiles } from './add-local-files.js';
import { addRemoteArchive } from './add-remote-archive.js';
import { consecutiveRuns } from './consecutive-runs.js';
import { copyWithoutDockerignore } from './copy-without-dockerignore.js';
import { deleteInLaterLayer } from './delete-in-later-layer.js';
import { dockerignoreGaps } from './dockerignore-gaps.js';
import { recursiveChownChmod } from './recursive-chown-chmod.js';
import { sourcesBeforeManifests } from './sources-before-manifests.js';
import { useraddWithoutL } from './useradd-without-l.js';

export const layerRules: Rule[] = [
  deleteInLaterLayer,
  recursiveChownChmod,
  consecutiveRuns,
  copyWithoutDockerignore,
  dockerignoreGaps,
  sourcesBeforeManifests,
  addLocalFiles,
  addRemoteArchive,
  useraddWithoutL,
];
