// Ships the shell grammar inside dist/: pare loads only tree-sitter-bash's
// .wasm, so the package itself (its sources and a native build pare never
// uses, ~20 MB and an install script) stays a development dependency.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const wasm = require.resolve('tree-sitter-bash/tree-sitter-bash.wasm');
const target = join(import.meta.dirname, '..', 'dist', 'grammars');
mkdirSync(target, { recursive: true });
copyFileSync(wasm, join(target, 'tree-sitter-bash.wasm'));
copyFileSync(join(dirname(wasm), 'LICENSE'), join(target, 'tree-sitter-bash.LICENSE'));
