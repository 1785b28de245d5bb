/**
 * ELF programs and libraries carrying debug sections and symbol tables, and
 * detached debug files under /usr/lib/debug. The bytes are the sizes of the
 * `.debug_*`, `.symtab` and `.strtab` sections read from the section headers,
 * which is what `strip` removes (Go: `-ldflags '-s -w'`).
 */
import { strippableBytes } from '../elf.js';
import type { Detector, DetectorResult, Match } from './types.js';

const DETACHED = '/usr/lib/debug/';

export const unstrippedBinaries: Detector = {
  id: 'unstripped-binaries',
  removal: 'never',
  title: 'Unstripped binaries',
  description:
    'ELF executables and shared libraries with debug sections or symbol tables, and files under /usr/lib/debug.',
  wants: (path, elf) => elf || path.startsWith(DETACHED),
  detect(context) {
    const unstripped: Match[] = [];
    const detached: Match[] = [];
    let namesUnknown = false;
    for (const file of context.files) {
      if (file.path.startsWith(DETACHED)) {
        detached.push({ file });
        continue;
      }
      const elf = context.elf(file.id);
      if (!elf || elf.type === 'relocatable' || elf.type === 'core' || file.size === 0) continue;
      const bytes = strippableBytes(elf);
      if (bytes <= 0) continue;
      if (elf.sections && !elf.sections.namesKnown) namesUnknown = true;
      unstripped.push({ file, bytes: Math.min(bytes, file.size) });
    }
    const results: DetectorResult[] = [];
    if (unstripped.length > 0) {
      results.push({
        title: 'debug sections and symbol tables',
        matches: unstripped,
        estimated: namesUnknown,
        hint: "strip them (`strip --strip-unneeded`, Go: -ldflags '-s -w', Rust: strip = true)",
      });
    }
    if (detached.length > 0) {
      results.push({
        title: 'detached debug symbols',
        matches: detached,
        paths: ['/usr/lib/debug'],
        hint: 'do not install -dbg/-dbgsym packages in the final image',
      });
    }
    return results;
  },
};
