import { isBuilt } from '../../dockerfile/stages.js';
import type { RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { APT } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import { packageCommands } from './managers.js';
import { nameToken } from './shell-edit.js';

/**
 * `apt` is the interactive front end: its command line "does not have a
 * stable interface" (apt(8) says so and warns about it on every run in a
 * script), it draws progress bars into build logs. Scripts use `apt-get`.
 */
export const aptInsteadOfAptGet: Rule = {
  meta: {
    id: 'apt-instead-of-apt-get',
    title: '`apt` used in a script instead of `apt-get`',
    severity: 'info',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.minimize],
    judges: 'build',
    hadolint: ['DL3027'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of model.instructions.filter((item): item is RunInstruction => item.keyword === 'RUN')) {
      if (!isBuilt(model, run.stageIndex)) continue;
      for (const item of packageCommands(run)) {
        if (item.tool !== 'apt' || item.command.program !== 'apt' || item.action === undefined) continue;
        const same = APT.sharedWithAptGet.has(item.action);
        const token = same ? nameToken(model, run, item.command) : undefined;
        // Insert `-get` after the name: `apt` → `apt-get`, `/usr/bin/apt` → `/usr/bin/apt-get`.
        const fix =
          token && token.text === token.value
            ? [{ start: token.end, end: token.end, newText: '-get' }]
            : undefined;
        const instead = same
          ? `apt-get ${item.action}`
          : item.action === 'full-upgrade'
            ? 'apt-get dist-upgrade'
            : ['search', 'show', 'showsrc', 'depends', 'rdepends', 'policy'].includes(item.action)
              ? `apt-cache ${item.action}`
              : 'apt-get, apt-cache or dpkg-query';
        findings.push({
          message: `\`apt ${item.action}\` in a script: apt's command line is not stable and prints progress bars; use \`${instead}\``,
          range: item.command.range,
          ...(fix ? { fix } : {}),
        });
      }
    }
    return findings;
  },
};
