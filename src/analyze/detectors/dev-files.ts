/** Development files a running program never opens: C headers and static libraries. */
import { largestGroups } from './common.js';
import type { Detector, DetectorResult } from './types.js';

const HEADERS = /^\/usr\/(?:local\/)?include\//;
/** Static libraries in library directories (toolchain-internal ones are claimed by the toolchain detector first). */
const STATIC_LIBRARY = /^(?:\/usr(?:\/local)?)?\/lib(?:32|64|x32)?\/.*\.a$/;

export const devFiles: Detector = {
  id: 'dev-files',
  removal: 'default',
  title: 'Headers and static libraries',
  description:
    'C/C++ headers under /usr/include (from *-dev packages) and static libraries (*.a) in library directories.',
  wants: (path) => HEADERS.test(path) || STATIC_LIBRARY.test(path),
  detect(context) {
    const results: DetectorResult[] = [];
    const headers = context.files.filter((f) => HEADERS.test(f.path)).map((file) => ({ file }));
    if (headers.length > 0) {
      results.push({
        title: 'C/C++ headers (*-dev packages)',
        matches: headers,
        paths: largestGroups(headers, (p) => p.split('/').slice(0, 4).join('/')),
        hint: 'install -dev packages only in a build stage',
      });
    }
    const archives = context.files
      .filter((f) => f.kind === 'file' && STATIC_LIBRARY.test(f.path))
      .map((file) => ({ file }));
    if (archives.length > 0) {
      results.push({
        title: 'static libraries (*.a)',
        matches: archives,
        hint: 'static libraries are only needed to link; install them in a build stage',
      });
    }
    return results;
  },
};
