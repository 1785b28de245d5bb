/**
 * The image JSON documents are checked directly first and by their zod
 * schemas only when the direct check declines (image-json.ts): whatever the
 * direct check accepts, the schema must accept too, giving the same value
 * with its fields in the same order (a config is written back out as parsed).
 */
import { describe, expect, it } from 'vitest';
import {
  checkDirectly,
  parseConfig,
  parseDockerArchiveManifest,
  parseIndexOrManifest,
} from '../../src/image/image-json.js';
import { SCHEMAS, type SchemaName } from '../../src/image/image-json-schemas.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;
const descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: D1, size: 512 };

const CASES: Array<[name: SchemaName, label: string, json: unknown]> = [
  [
    'config',
    'Docker config, fields in Docker order',
    {
      architecture: 'amd64',
      config: { Env: ['PATH=/usr/bin'], Cmd: ['sh'], Labels: null },
      created: '2024-01-01T00:00:00Z',
      history: [
        {
          created: '2024-01-01T00:00:00Z',
          created_by: '/bin/sh -c #(nop) ADD file:1 in / ',
          empty_layer: false,
          extra: 1,
        },
      ],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [D1, D2] },
      container: 'abc',
      docker_version: '24.0.0',
    },
  ],
  [
    'config',
    'no architecture or os (defaults), null config and history',
    {
      rootfs: { diff_ids: [D1], type: 'layers', extra: [1] },
      config: null,
      history: null,
      '0': 'numeric key',
      z: true,
    },
  ],
  [
    'config',
    'a string where a boolean belongs',
    { rootfs: { type: 'layers', diff_ids: [] }, history: [{ empty_layer: 'no' }] },
  ],
  ['config', 'rootfs of another type', { rootfs: { type: 'other', diff_ids: [] } }],
  ['config', 'a digest that is not one', { rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } }],
  [
    'config',
    'a __proto__ field',
    JSON.parse(`{"rootfs":{"type":"layers","diff_ids":[]},"__proto__":{"x":1},"after":2}`),
  ],
  ['config', 'not an object', [1, 2]],
  [
    'index',
    'OCI index with platforms and annotations',
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          ...descriptor,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': [] },
          annotations: { b: '1', a: '2' },
        },
      ],
      annotations: { 'org.opencontainers.image.ref.name': 'latest' },
    },
  ],
  ['index', 'schemaVersion 1', { schemaVersion: 1, manifests: [] }],
  ['index', 'a negative size', { schemaVersion: 2, manifests: [{ ...descriptor, size: -1 }] }],
  ['index', 'a fractional size', { schemaVersion: 2, manifests: [{ ...descriptor, size: 1.5 }] }],
  ['index', 'an annotation that is not a string', { schemaVersion: 2, manifests: [], annotations: { a: 1 } }],
  [
    'manifest',
    'OCI manifest, unknown fields kept',
    {
      layers: [descriptor, { ...descriptor, digest: D2, urls: ['http://x'] }],
      config: { ...descriptor, digest: D2 },
      schemaVersion: 2,
      subject: { ...descriptor },
    },
  ],
  ['manifest', 'no config', { schemaVersion: 2, layers: [] }],
  [
    'dockerArchiveManifest',
    'docker save manifest.json',
    [
      { Config: 'blobs/sha256/aa', RepoTags: ['app:1'], Layers: ['blobs/sha256/bb'], LayerSources: {} },
      { Layers: [], Config: 'c.json', RepoTags: null },
      { Config: 'd.json', Layers: ['l/layer.tar'] },
    ],
  ],
  ['dockerArchiveManifest', 'RepoTags not a list', [{ Config: 'c', RepoTags: 'app', Layers: [] }]],
  ['repositories', 'legacy repositories file', { app: { latest: 'abc', '1': 'def' }, base: {} }],
  ['repositories', 'a tag naming a number', { app: { latest: 3 } }],
  ['ociLayout', 'oci-layout', { imageLayoutVersion: '1.0.0', extra: true }],
  ['ociLayout', 'oci-layout without a version', {}],
];

describe('image JSON: the direct checks agree with the schemas', () => {
  it.each(CASES)('%s: %s', (name, _label, json) => {
    const direct = checkDirectly(name, json);
    const schema = SCHEMAS[name].safeParse(json);
    if (direct === undefined) return; // the schema decides: nothing to compare
    expect(schema.success).toBe(true);
    expect(JSON.stringify(direct)).toBe(JSON.stringify(schema.data));
    expect(direct).toEqual(schema.data);
  });

  it('accepts the well-formed documents directly, so zod is not loaded for them', () => {
    const wellFormed = CASES.filter(([, label]) =>
      /Docker config|defaults|OCI|manifest.json|legacy|oci-layout$/.test(label),
    );
    expect(wellFormed).toHaveLength(7);
    for (const [name, label, json] of wellFormed) expect(checkDirectly(name, json), label).toBeDefined();
  });

  it('declines what the schema rejects, and the schema words the error', async () => {
    const rejected = CASES.filter(([name, , json]) => !SCHEMAS[name].safeParse(json).success);
    expect(rejected.length).toBeGreaterThanOrEqual(10);
    for (const [name, label, json] of rejected) expect(checkDirectly(name, json), label).toBeUndefined();
    await expect(
      parseConfig(
        Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } })),
        'img',
      ),
    ).rejects.toThrow('config: rootfs.diff_ids[0]: expected a sha256 digest');
    await expect(parseDockerArchiveManifest(Buffer.from('[{"Config":1}]'), 'img')).rejects.toThrow(
      /^manifest\.json: \[0\]\.Config: /,
    );
    await expect(parseIndexOrManifest(Buffer.from('{'), 'img', 'index.json')).rejects.toThrow(
      /^index\.json is not valid JSON/,
    );
  });

  it('parses a config as before: Docker nulls become absence', async () => {
    const config = await parseConfig(Buffer.from(JSON.stringify(CASES[1]![2])), 'img');
    expect(Object.keys(config)).toEqual(['0', 'architecture', 'os', 'rootfs', 'z']);
  });
});
