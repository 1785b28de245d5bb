/**
 * Sources of compiled languages (Go, Rust, C/C++, Java/Kotlin) in the final
 * image. Reported when they sit in an application directory (/app, /src,
 * /usr/src/app, /go/src, /workspace, …) or when the image holds a built
 * artifact (an ELF program outside the system directories, or a jar).
 * Headers and sources that toolchains, dependency caches and packages own
 * are left to other detectors.
 */
import { largestGroups } from './common.js';
import type { DetectContext, Detector, FileFact, Match } from './types.js';

const SOURCE = /\.(?:go|rs|c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|java|kt)$/;
const APP_DIR =
  /^\/(?:app|src|code|build|workspace|project|srv|usr\/src\/app|go\/src|home\/[^/]+|root(?!\/\.)|opt\/[^/]+)\//;
const NOT_APP =
  /^\/usr\/(?:include|local\/include|lib|libexec|share|local\/go|local\/lib|local\/share|local\/rustup|local\/cargo)\/|^\/usr\/src\/(?!app\/)|\/(?:node_modules|site-packages|dist-packages|\.cargo|\.rustup|\.m2|\.gradle|\.cache|\.npm)\/|(?:^|\/)go\/pkg\/mod\/|^\/(?:proc|sys|etc)\//;
const ARCHIVE = /\.(?:jar|war)$/;
const SYSTEM_BINARY =
  /^\/(?:usr\/(?:s?bin|lib|libexec|lib32|lib64|local\/go|local\/rustup|local\/cargo|share)|s?bin|lib|lib32|lib64)\//;

function hasBuiltArtifact(context: DetectContext): boolean {
  return context.files.some((file) => {
    if (ARCHIVE.test(file.path)) return !/^\/usr\/(?:share|lib)\//.test(file.path);
    if (SYSTEM_BINARY.test(file.path)) return false;
    const elf = context.elf(file.id);
    return (
      elf !== undefined &&
      (elf.type === 'executable' || (elf.type === 'shared' && (elf.pie || elf.interpreter !== null)))
    );
  });
}

/** The project a source belongs to: its application directory, or its first two path components. */
function projectOf(path: string): string {
  const app = APP_DIR.exec(path);
  if (app) return app[0].slice(0, -1);
  return path.split('/').slice(0, 3).join('/');
}

export const compiledSources: Detector = {
  id: 'compiled-sources',
  removal: 'optional',
  title: 'Sources of compiled programs',
  description:
    'Go, Rust, C/C++ and Java/Kotlin sources in application directories, or anywhere outside system and dependency directories when a built binary or jar is in the image.',
  // Sources, and what proves a built artifact: an ELF file or a jar.
  wants: (path, elf) => elf || ARCHIVE.test(path) || (SOURCE.test(path) && !NOT_APP.test(path)),
  detect(context) {
    const candidates: FileFact[] = context.files.filter(
      (f) => f.kind === 'file' && SOURCE.test(f.path) && !NOT_APP.test(f.path),
    );
    if (candidates.length === 0) return [];
    const artifact = hasBuiltArtifact(context);
    const matches: Match[] = candidates
      .filter((f) => artifact || APP_DIR.test(f.path))
      .map((file) => ({ file }));
    if (matches.length === 0) return [];
    return [
      {
        title: 'sources of compiled languages',
        matches,
        paths: largestGroups(matches, projectOf),
        hint: 'copy only the built artifact into the final stage (multi-stage build)',
      },
    ];
  },
};
