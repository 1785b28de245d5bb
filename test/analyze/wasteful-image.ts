/**
 * An image with known waste, for inspect tests: an overwritten file, a
 * deleted apt list, a hard link, an opaque directory hiding a source file,
 * an unstripped ELF binary, and history with empty layers in BuildKit and
 * classic-builder forms. Expected figures are worked out in inspect.test.ts.
 */
import { dir, file, hardlink, type ImageSpec, opaque, whiteout } from '../helpers/image-writer.js';
import { buildElf } from './elf-builder.js';

const tool = buildElf({
  bits: 64,
  little: true,
  type: 2,
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libc.so.6'],
  sections: [{ name: '.debug_info', size: 4000 }],
  symtab: 600,
  strtab: 400,
});
export const TOOL_BYTES = tool.length;

export const WASTEFUL: ImageSpec = {
  layers: [
    {
      compression: 'gzip',
      entries: [
        dir('etc'),
        file('etc/os-release', { size: 100 }),
        dir('usr/bin'),
        file('usr/bin/tool', tool, { mode: 0o755 }),
        dir('var/lib/apt/lists'),
        file('var/lib/apt/lists/pkgs', { size: 5000 }),
      ],
    },
    {
      entries: [
        file('etc/os-release', { size: 200 }),
        whiteout('var/lib/apt/lists/pkgs'),
        file('app/main.go', { size: 300 }),
        hardlink('usr/bin/tool2', 'usr/bin/tool'),
      ],
    },
    { compression: 'gzip', entries: [dir('app'), opaque('app'), file('app/server', { size: 1000 })] },
  ],
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:abc123 in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created_by: 'RUN |1 V=1 /bin/sh -c apt-get update # buildkit' },
    { created_by: 'ENV A=b', empty_layer: true },
    { created_by: 'COPY . /app # buildkit' },
  ],
  config: { Env: ['PATH=/usr/bin'], Cmd: ['/app/server'] },
};

export const DOCKERFILE = 'FROM debian:12\nRUN apt-get update\nENV A=b\nCOPY . /app\n';
