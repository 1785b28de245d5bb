/**
 * Generators of images an attacker would build, written with the test image
 * writer: small archives that would make a careless reader do enormous work.
 */
import { buildImage, file, writeImage } from '../helpers/image-writer.js';

/** One file at the end of a path `depth` directories deep (`a/a/…/a/leaf`): 2 bytes per level. */
export async function deepPathImage(dir: string, depth: number): Promise<string> {
  const path = `${'a/'.repeat(depth)}leaf`;
  return writeImage(dir, 'docker-archive-legacy', [
    buildImage({
      layers: [{ entries: [file('etc/os-release', 'ID=deep\n')] }, { entries: [file(path, 'x')] }],
    }),
  ]);
}
