/**
 * Test suites shipped inside installed packages (site-packages, node_modules):
 * `test`, `tests` and `__tests__` directories below a package. A directory
 * named like that directly under node_modules is a package, not tests.
 */
import { posix } from 'node:path';
import { largestGroups } from './common.js';
import type { Detector, DetectorResult, Match } from './types.js';

const TESTS =
  /^(.*\/(?:site-packages|dist-packages|node_modules))\/((?:@[^/]+\/)?[^/]+\/(?:[^/]+\/)*?(?:tests?|__tests__))\//;

export const packageTests: Detector = {
  id: 'package-tests',
  removal: 'default',
  title: 'Tests inside installed packages',
  description:
    'test/, tests/ and __tests__/ directories inside packages under site-packages, dist-packages and node_modules.',
  wants: (path) => TESTS.test(path),
  detect(context) {
    const byRoot = new Map<string, Match[]>();
    for (const file of context.files) {
      const match = TESTS.exec(file.path);
      if (!match) continue;
      const root = match[1]!;
      const list = byRoot.get(root);
      if (list) list.push({ file });
      else byRoot.set(root, [{ file }]);
    }
    const results: DetectorResult[] = [];
    for (const [root, matches] of byRoot) {
      const ecosystem = root.endsWith('node_modules') ? 'node_modules' : posix.basename(root);
      results.push({
        title: `tests inside ${ecosystem}`,
        matches,
        paths: largestGroups(matches, (path) => TESTS.exec(path)![0].slice(0, -1)),
        hint:
          ecosystem === 'node_modules'
            ? 'install with `npm ci --omit=dev` and prune test folders (e.g. `find node_modules -name __tests__ -prune -exec rm -rf {} +`)'
            : 'delete `tests` folders of installed packages in the same RUN as pip install',
      });
    }
    return results;
  },
};
