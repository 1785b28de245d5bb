import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { libraryOrganizeComments } from '../../src/dockerfile/ast-comments.js';
import { fixtureDockerfiles } from '../helpers/source-files.js';

type Filed = Array<Array<{ start: unknown; end: unknown }>>;

interface Holder {
  comments: Array<{ getRange(): { start: unknown; end: unknown } }>;
}

/** The comments of the initial instructions and of each build stage, by range. */
function filed(dockerfile: ReturnType<typeof DockerfileParser.parse>): Filed {
  const holders = [
    (dockerfile as unknown as { initialInstructions: Holder }).initialInstructions,
    ...(dockerfile as unknown as { buildStages: Holder[] }).buildStages,
  ];
  return holders.map((holder) => holder.comments.map((comment) => comment.getRange()));
}

/** Files the comments again with dockerfile-ast's own loop over every stage. */
function filedByLibrary(dockerfile: ReturnType<typeof DockerfileParser.parse>): Filed {
  const self = dockerfile as unknown as { initialInstructions: Holder; buildStages: Holder[] };
  self.initialInstructions.comments = [];
  for (const stage of self.buildStages) stage.comments = [];
  libraryOrganizeComments.call(dockerfile as never);
  return filed(dockerfile);
}

describe('comments filed under their build stage', () => {
  it.each([
    ['before the first FROM', '# syntax=docker/dockerfile:1\n# top\nARG V=1\n# after arg\nFROM a\nRUN x\n'],
    [
      'between and inside stages',
      'FROM a AS one\n# in one\nRUN x\n# between\n\nFROM b\nRUN y \\\n  # inside a continuation\n  z\n# last\n',
    ],
    ['on the line of a stage end', 'FROM a\nRUN x\n#c\nFROM b\n#d'],
    ['no stages', '# only\n# comments\n'],
  ])('%s: as dockerfile-ast files them', (_name, text) => {
    const dockerfile = DockerfileParser.parse(text);
    const fast = filed(dockerfile);
    expect(fast).toEqual(filedByLibrary(dockerfile));
  });

  it('as dockerfile-ast files them, on every Dockerfile in the fixtures', () => {
    const files = fixtureDockerfiles();
    let comments = 0;
    for (const file of files) {
      const dockerfile = DockerfileParser.parse(readFileSync(file, 'utf8'));
      const fast = filed(dockerfile);
      comments += fast.flat().length;
      expect(fast, file).toEqual(filedByLibrary(dockerfile));
    }
    expect(comments).toBeGreaterThan(10);
  });

  it('as dockerfile-ast files them, on 300 stages with comments before, inside and between them', () => {
    const stages = Array.from(
      { length: 300 },
      (_, i) =>
        `# before ${i}\nFROM base${i} AS s${i}\n# inside ${i}\nRUN make ${i} \\\n  # in a continuation\n  && true\n${i % 3 ? '' : '\n# after a blank line\n'}`,
    );
    const dockerfile = DockerfileParser.parse(`# top\nARG X=1\n${stages.join('')}`);
    const fast = filed(dockerfile);
    expect(fast.flat().length).toBeGreaterThanOrEqual(600);
    expect(fast).toEqual(filedByLibrary(dockerfile));
  });
});
