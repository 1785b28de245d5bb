/**
 * Sink for `docker-archive:PATH[:name:tag]`, in the layout Docker 25+ saves:
 * manifest.json (what `docker load` reads) beside an OCI layout (oci-layout,
 * index.json, blobs/sha256/…). Layers keep their compression; `docker load`
 * inflates them. Written to a temporary sibling and renamed into place.
 */
import { digestHex, sha256 } from '../digest.js';
import type { ImageToWrite } from './write-common.js';
import { type ArchiveMember, dedupe, ociLayoutMembers, writeTarAtomic } from './write-oci-layout.js';

export interface WriteDockerArchiveOptions {
  /** RepoTags, e.g. `["app:slim"]`. */
  repoTags?: string[];
}

function dockerArchiveMembers(image: ImageToWrite, options: WriteDockerArchiveOptions = {}): ArchiveMember[] {
  const manifest = [
    {
      Config: `blobs/sha256/${digestHex(sha256(image.config))}`,
      RepoTags: options.repoTags ?? [],
      Layers: image.layers.map((layer) => `blobs/sha256/${digestHex(layer.digest)}`),
    },
  ];
  return dedupe([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    ...ociLayoutMembers(image, options.repoTags?.[0]),
  ]);
}

export async function writeDockerArchive(
  path: string,
  image: ImageToWrite,
  options: WriteDockerArchiveOptions = {},
): Promise<void> {
  await writeTarAtomic(path, dockerArchiveMembers(image, options));
}
