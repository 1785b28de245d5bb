import { isBuilt } from '../../dockerfile/stages.js';
import { isCopyOrAdd } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { isRemoteSource, isTarArchiveName } from '../../knowledge/ecosystems.js';
import type { Rule, RuleFinding } from '../types.js';
import { hasVariable } from './paths.js';

/**
 * `ADD . /app` (《Docker最佳实践：构建最小镜像》) or `ADD config.yml /etc/`:
 * ADD copies local files like COPY but also unpacks tar archives and fetches
 * URLs, so what lands in the layer depends on the file's content. COPY says
 * what it does.
 */
export const addLocalFiles: Rule = {
  meta: {
    id: 'add-local-files',
    title: 'ADD used to copy local files (COPY does the same, predictably)',
    severity: 'info',
    fixable: true,
    articles: [ARTICLES.bestPractices],
    judges: 'build',
    hadolint: ['DL3020'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const instruction of model.instructions) {
      if (!isCopyOrAdd(instruction) || instruction.keyword !== 'ADD' || instruction.heredocs.length > 0)
        continue;
      if (!isBuilt(model, instruction.stageIndex)) continue;
      const { sources } = instruction;
      // Remote sources need ADD (or curl); local tar archives are unpacked by ADD on purpose.
      if (
        sources.some(
          (source) =>
            isRemoteSource(source) ||
            isTarArchiveName(source) ||
            hasVariable(source) ||
            source.startsWith('<<'),
        )
      )
        continue;
      // Flags only ADD knows (--checksum, --keep-git-dir, --unpack) make it deliberate.
      if (
        instruction.flags.some(
          (flag) => !['chown', 'chmod', 'link', 'from', 'exclude', 'parents'].includes(flag.name),
        )
      )
        continue;
      const keyword = model.text.slice(
        instruction.keywordRange.start.offset,
        instruction.keywordRange.end.offset,
      );
      findings.push({
        message: `ADD copies local ${sources.length === 1 ? `\`${sources[0]}\`` : `files (${sources.join(', ')})`}: use COPY, which never unpacks or downloads`,
        range: instruction.range,
        fix: [
          {
            start: instruction.keywordRange.start.offset,
            end: instruction.keywordRange.end.offset,
            newText: keyword === keyword.toLowerCase() ? 'copy' : 'COPY',
          },
        ],
      });
    }
    return findings;
  },
};
