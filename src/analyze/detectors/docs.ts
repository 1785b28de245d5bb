/**
 * Documentation, manuals and translations. Copyright and licence files are
 * left out: distributions ask to keep them, and they are small.
 */
import { groupByPrefix } from './common.js';
import type { Detector, DetectorResult, FileFact } from './types.js';

const DOCUMENTATION = /^\/usr\/(?:local\/)?share\/(?:doc|man|info|locale)\//;
const LICENSE = /\/(?:copyright|COPYING[^/]*|LICEN[CS]E[^/]*|NOTICE[^/]*)$/i;

/** Locale names the image's environment selects, in the forms /usr/share/locale uses. */
function localesInUse(env: Readonly<Record<string, string>>): Set<string> {
  const keep = new Set<string>();
  for (const key of ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE']) {
    for (const value of (env[key] ?? '').split(':')) {
      const name = value.trim();
      if (!name || name === 'C' || name === 'POSIX' || name.startsWith('C.')) continue;
      const bare = name.replace(/[.@].*$/, '');
      keep.add(name);
      keep.add(bare);
      keep.add(bare.replace(/_.*$/, ''));
    }
  }
  return keep;
}

export const docs: Detector = {
  id: 'docs',
  removal: 'default',
  title: 'Documentation, man pages and locales',
  description:
    'Files under /usr/share/doc, /usr/share/man, /usr/share/info (copyright and licence files excepted) and translations under /usr/share/locale other than the locale the image uses.',
  wants: (path) => DOCUMENTATION.test(path),
  detect(context) {
    const notLicense = (file: FileFact) => !LICENSE.test(file.path);
    const results: DetectorResult[] = [
      ...groupByPrefix(
        context.files,
        /^\/usr\/(?:local\/)?share\/doc\//,
        () => ({
          title: 'documentation',
          hint: 'exclude docs at install time (dpkg path-exclude, --nodocs) or delete them in the same RUN',
        }),
        notLicense,
      ),
      ...groupByPrefix(context.files, /^\/usr\/(?:local\/)?share\/man\//, () => ({
        title: 'man pages',
        hint: 'exclude /usr/share/man at install time or delete it in the same RUN',
      })),
      ...groupByPrefix(context.files, /^\/usr\/share\/info\//, () => ({
        title: 'info pages',
        hint: 'delete /usr/share/info in the same RUN',
      })),
    ];
    const keep = localesInUse(context.env);
    results.push(
      ...groupByPrefix(
        context.files,
        /^\/usr\/share\/locale\//,
        () => ({
          title:
            keep.size > 0
              ? `translations other than ${[...keep][0]}`
              : 'translations (the image uses the C locale)',
          hint: 'keep only the locale in use (dpkg path-exclude=/usr/share/locale/*)',
        }),
        (file) => {
          const locale = /^\/usr\/share\/locale\/([^/]+)\//.exec(file.path)?.[1];
          return locale !== undefined && !keep.has(locale);
        },
      ),
    );
    return results;
  },
};
