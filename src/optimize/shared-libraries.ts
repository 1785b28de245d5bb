/**
 * The shared libraries a dynamically linked binary loads, as the dynamic loader
 * of its own build image resolves them: DT_NEEDED followed transitively, with
 * RUNPATH/RPATH and ld.so.conf, plus the interpreter (PT_INTERP). Asking the
 * loader (`ldd`, which is `ld.so --list`) in the builder is what "resolved as
 * ld.so would" means, without re-implementing its search rules.
 */
import type { Engine } from '../engine/engine.js';

/** Absolute paths, loader included, in load order; undefined when the binary is static or ldd is missing. */
export async function sharedLibrariesOf(
  engine: Engine,
  image: string,
  binary: string,
): Promise<string[] | undefined> {
  const result = await engine.run({ image, entrypoint: ['ldd'], cmd: [binary], timeoutMs: 60_000 });
  if (result.exitCode !== 0) return undefined;
  return parseLdd(result.stdout);
}

/**
 * `libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)` and
 * `/lib64/ld-linux-x86-64.so.2 (0x…)`; the vDSO (`linux-vdso.so.1 (0x…)`) has no file.
 */
export function parseLdd(output: string): string[] | undefined {
  if (/not a dynamic executable|statically linked/.test(output)) return undefined;
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    const resolved = /=>\s+(\/\S+)\s+\(/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (/=>\s+not found/.test(line)) return undefined;
    if (resolved && !paths.includes(resolved)) paths.push(resolved);
  }
  return paths;
}
