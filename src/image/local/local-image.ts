/**
 * An Image whose manifest is already known and whose blobs are byte ranges of
 * local files. docker-archive, oci and oci-archive differ only in how they find
 * the manifest and the blobs; from there on they share this.
 */
import { PareError } from '../../util/errors.js';
import { resolveCompression } from '../compression.js';
import { shortDigest, verifyBytes } from '../digest.js';
import { parseConfig } from '../image-json.js';
import type { Digest, Image, ImageConfig, Layer, Manifest } from '../types.js';
import { type LocalBlob, readBlobHead, readLocalBlob } from './local-blob.js';
import { LocalLayer } from './local-layer.js';

export interface LocalImageInit {
  reference: string;
  manifest: Manifest;
  /** Finds a blob named by the manifest; undefined when the source does not hold it. */
  locate(digest: Digest, index: number): LocalBlob | undefined;
  /** Called by close(), e.g. nothing for files read in place. */
  release?(): Promise<void>;
}

export class LocalImage implements Image {
  readonly reference: string;
  private readonly init: LocalImageInit;
  private configPromise: Promise<ImageConfig> | undefined;
  private rawConfigPromise: Promise<Buffer> | undefined;
  private layersPromise: Promise<Layer[]> | undefined;
  private closed = false;

  constructor(init: LocalImageInit) {
    this.reference = init.reference;
    this.init = init;
  }

  async manifest(): Promise<Manifest> {
    return this.init.manifest;
  }

  async configDigest(): Promise<Digest> {
    return this.init.manifest.config.digest;
  }

  config(): Promise<ImageConfig> {
    this.configPromise ??= this.readConfig();
    return this.configPromise;
  }

  rawConfig(): Promise<Buffer> {
    this.rawConfigPromise ??= this.readRawConfig();
    return this.rawConfigPromise;
  }

  layers(): Promise<Layer[]> {
    this.layersPromise ??= this.buildLayers();
    return this.layersPromise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.init.release?.();
  }

  private async readConfig(): Promise<ImageConfig> {
    const descriptor = this.init.manifest.config;
    const subject = `${this.reference} config ${shortDigest(descriptor.digest)}`;
    return parseConfig(await this.rawConfig(), subject);
  }

  private async readRawConfig(): Promise<Buffer> {
    const descriptor = this.init.manifest.config;
    const subject = `${this.reference} config ${shortDigest(descriptor.digest)}`;
    const blob = this.requireBlob(descriptor.digest, -1, 'config');
    // Checked before reading, as for layers: the descriptor bounds what is read.
    if (blob.length !== descriptor.size) {
      throw new PareError(`config blob is ${blob.length} bytes but the manifest says ${descriptor.size}`, {
        subject,
      });
    }
    return verifyBytes(await readLocalBlob(blob, subject), descriptor.digest, subject);
  }

  private async buildLayers(): Promise<Layer[]> {
    const { manifest } = this.init;
    const config = await this.config();
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new PareError(
        `manifest lists ${manifest.layers.length} layers but the config's rootfs.diff_ids lists ${diffIds.length}`,
        { subject: this.reference },
      );
    }
    return Promise.all(
      manifest.layers.map(async (descriptor, index) => {
        const subject = `${this.reference} layer ${index} ${shortDigest(descriptor.digest)}`;
        const blob = this.requireBlob(descriptor.digest, index, `layer ${index}`);
        if (blob.length !== descriptor.size) {
          throw new PareError(`blob is ${blob.length} bytes but the manifest says ${descriptor.size}`, {
            subject,
          });
        }
        const head = await readBlobHead(blob, subject);
        return new LocalLayer({
          digest: descriptor.digest,
          diffId: diffIds[index]!,
          mediaType: descriptor.mediaType,
          compression: resolveCompression(descriptor.mediaType, head, subject),
          blob,
          subject,
        });
      }),
    );
  }

  private requireBlob(digest: Digest, index: number, what: string): LocalBlob {
    const blob = this.init.locate(digest, index);
    if (!blob) {
      throw new PareError(`the manifest names ${what} blob ${shortDigest(digest)}, which is missing`, {
        subject: this.reference,
      });
    }
    return blob;
  }
}
