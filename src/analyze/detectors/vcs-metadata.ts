/** Version-control metadata copied into the image, usually by `COPY . .` without a .dockerignore. */
import { posix } from 'node:path';
import { groupByPrefix } from './common.js';
import type { Detector } from './types.js';

const VCS_DIRECTORY = /^(?:.*?\/)?\.(?:git|hg|svn)\//;

export const vcsMetadata: Detector = {
  id: 'vcs-metadata',
  removal: 'default',
  title: 'Version-control directories',
  description: '.git (and .hg, .svn) directories in the final image.',
  wants: (path) => VCS_DIRECTORY.test(path),
  detect(context) {
    return groupByPrefix(context.files, VCS_DIRECTORY, (root) => ({
      title: `${posix.basename(root)} directory`,
      hint: 'add it to .dockerignore',
    }));
  },
};
