import { rootImage, shippedStages } from '../../dockerfile/stages.js';
import { ARTICLES } from '../../knowledge/articles.js';
import type { Rule, RuleFinding } from '../types.js';

/** `node:8-onbuild`, `python:3.6-onbuild`, `golang:onbuild`: the official images' deprecated ONBUILD variants. */
const ONBUILD_TAG = /(?:^|-)onbuild(?:-|$)/;

/**
 * The official `*-onbuild` images run ONBUILD triggers in the Dockerfile that
 * builds on them: they copy the whole build context and install every
 * dependency (devDependencies, caches, the toolchain of the full image) in
 * the image that ships — steps the Dockerfile does not show and cannot
 * change. The variants are deprecated and no longer updated.
 */
export const onbuildBaseImage: Rule = {
  meta: {
    id: 'onbuild-base-image',
    title: 'The shipped image starts FROM a deprecated *-onbuild image (hidden COPY and install steps)',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.bestPractices, ARTICLES.minimize],
    judges: 'image',
  },
  check({ model }) {
    const stage = shippedStages(model)[0]!;
    const image = rootImage(model, stage);
    if (image.unresolved || !ONBUILD_TAG.test(image.tag ?? '')) return [];
    const tag = (image.tag ?? '').replace(/-?onbuild/, '');
    const plain = tag ? `${image.repository}:${tag}` : image.repository;
    const finding: RuleFinding = {
      message: `${image.resolved} runs hidden ONBUILD steps here: it copies the whole build context and installs every dependency (dev ones and caches too) into the shipped image; the onbuild images are deprecated: write the steps out FROM ${plain} (or its slim variant)`,
      range: stage.from.range,
      hint: 'COPY the dependency manifests, install production dependencies only (cleaning the cache in the same RUN), then COPY the sources',
    };
    return [finding];
  },
};
