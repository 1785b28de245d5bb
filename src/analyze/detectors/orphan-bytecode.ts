/**
 * Python bytecode caches for sources the image does not ship.
 *
 * Python loads `__pycache__/NAME.TAG.pyc` only to skip compiling `NAME.py`; when
 * NAME.py is absent it never reads that file (PEP 3147), so such caches are
 * pure waste. Caches next to their source are not reported: they save compile
 * time at every start, and PYTHONDONTWRITEBYTECODE decides whether to keep
 * them. A `NAME.pyc` outside `__pycache__` is sourceless code, the
 * application itself, and is never reported.
 */
import type { Detector, Match } from './types.js';

const CACHED = /^(.*)\/__pycache__\/([^/]+?)\.[^./]+(?:\.opt-[12])?\.pyc$/;

export const orphanBytecode: Detector = {
  id: 'orphan-bytecode',
  removal: 'default',
  title: 'Bytecode of sources not shipped',
  description: '__pycache__/*.pyc files whose .py source is absent, which Python never loads.',
  wants: (path) => CACHED.test(path),
  detect(context) {
    const matches: Match[] = [];
    for (const file of context.files) {
      const match = CACHED.exec(file.path);
      if (match && !context.exists(`${match[1]}/${match[2]}.py`)) matches.push({ file });
    }
    if (matches.length === 0) return [];
    return [
      {
        title: '__pycache__ without sources',
        matches,
        hint: 'delete the __pycache__ directories where the .py files were removed',
      },
    ];
  },
};
