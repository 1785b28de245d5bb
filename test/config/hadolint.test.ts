import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromHadolint, readHadolintConfig } from '../../src/config/hadolint.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { allRules } from '../../src/rules/index.js';
import { lintModel } from '../../src/rules/run.js';

async function rulesFound(text: string): Promise<string[]> {
  const findings = await lintModel(await parseDockerfile(text), { rules: allRules });
  return findings.map((finding) => `${finding.range.start.line + 1} ${finding.ruleId}`);
}

const APT = 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl\nCMD ["curl", "--version"]\n';

describe('hadolint ignore comments', () => {
  it('turn off the pare rules with the same hadolint code, for the next instruction', async () => {
    expect(await rulesFound(APT)).toEqual(['2 apt-lists-not-removed', '2 apt-no-install-recommends']);
    const ignored = APT.replace('RUN', '# hadolint ignore=DL3009, dl3008\nRUN');
    expect(await rulesFound(ignored)).toEqual(['3 apt-no-install-recommends']);
  });

  it('global ignore turns them off for the file; pare-ignore still works beside it', async () => {
    const text = [
      '# hadolint global ignore=DL3015',
      'FROM debian:12-slim',
      '# pare-ignore=apt-lists-not-removed',
      'RUN apt-get update && apt-get install -y curl',
      'RUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*',
      'CMD ["curl", "--version"]',
      '',
    ].join('\n');
    expect(await rulesFound(text)).toEqual([]);
  });

  it('codes pare has no rule for change nothing', async () => {
    expect(await rulesFound(APT.replace('RUN', '# hadolint ignore=SC2086,DL3008\nRUN'))).toHaveLength(2);
  });
});

describe('.hadolint.yaml', () => {
  it('reads ignored in block and flow style, with comments, and failure-threshold', () => {
    const block = readHadolintConfig(
      [
        '# team settings',
        'failure-threshold: "warning"',
        'ignored:',
        '  - DL3008   # pinning',
        '',
        '  - dl3009',
        'override:',
        '  error:',
        '    - DL3001',
        'trustedRegistries: [docker.io]',
        '',
      ].join('\n'),
    );
    expect(block).toEqual({ ignored: ['DL3008', 'DL3009'], failureThreshold: 'warning', problems: [] });
    expect(readHadolintConfig("ignored: [DL3059, 'DL3015']\n").ignored).toEqual(['DL3059', 'DL3015']);
    expect(readHadolintConfig('ignored: DL3059\n').problems).toEqual([
      '"ignored" is not a list pare can read',
    ]);
  });

  it('amounts to rules turned off and a failOn', () => {
    const config = configFromHadolint(
      { ignored: ['DL3059', 'DL3009', 'DL3008'], failureThreshold: 'style', problems: [] },
      allRules,
    );
    expect(config).toEqual({
      rules: { 'apt-lists-not-removed': 'off', 'consecutive-runs': 'off' },
      lint: { failOn: 'info' },
    });
    expect(configFromHadolint({ ignored: [], failureThreshold: 'ignore', problems: [] }, allRules)).toEqual({
      lint: { failOn: 'none' },
    });
  });
});

describe('docs/hadolint.md', () => {
  it('lists exactly the codes the rules declare', () => {
    const page = readFileSync(fileURLToPath(new URL('../../docs/hadolint.md', import.meta.url)), 'utf8');
    const rows = [...page.matchAll(/^\| (DL\d{4}) \|[^|]*\| \[([a-z0-9-]+)\]/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const declared = allRules.flatMap((rule) =>
      (rule.meta.hadolint ?? []).map((code) => `${code} ${rule.meta.id}`),
    );
    expect(rows.sort()).toEqual(declared.sort());
  });
});
