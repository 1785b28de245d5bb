import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const section = readme.slice(
  readme.indexOf('## Integrations'),
  readme.indexOf('\n## ', readme.indexOf('## Integrations') + 1),
);
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const hooks = parse(read('.pre-commit-hooks.yaml')) as Array<{ id: string }>;
const action = parse(read('action.yml')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

describe('README Integrations snippets', () => {
  it('name only hooks that .pre-commit-hooks.yaml declares', () => {
    const config = parse(blocks[0]!) as { repos: Array<{ hooks: Array<{ id: string }> }> };
    for (const hook of config.repos[0]!.hooks) expect(hooks.map((h) => h.id)).toContain(hook.id);
  });

  it('pass only inputs action.yml declares, and read only its outputs', () => {
    const uses = blocks.slice(1).flatMap((block) => {
      // The budgets snippet is a fragment of a steps list: indent-free it parses as one.
      const parsed = parse(block.startsWith('      ') ? block.replace(/^ {6}/gm, '') : block) as unknown;
      const steps = Array.isArray(parsed)
        ? parsed
        : (parsed as { jobs: Record<string, { steps: unknown[] }> }).jobs.pare!.steps;
      return steps as Array<{ uses?: string; with?: Record<string, unknown> }>;
    });
    const ours = uses.filter((step) => step.uses?.startsWith('pare-dev/pare@'));
    expect(ours.length).toBe(2);
    for (const step of ours)
      for (const input of Object.keys(step.with ?? {})) expect(action.inputs).toHaveProperty(input);
    for (const [, output] of section.matchAll(/steps\.pare\.outputs\.([\w-]+)/g))
      expect(action.outputs).toHaveProperty(output!);
  });
});
