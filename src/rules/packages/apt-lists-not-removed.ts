import { ARTICLES } from '../../knowledge/articles.js';
import { APT, aptListsEstimate } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import { deletedLater, distroAt, finalImageRuns, homeAt, isMounted, laterRunDeleting } from './common.js';
import { isApt, isAptInstall, isAptUpdate, packageCommands } from './managers.js';
import { chainAfter } from './shell-edit.js';

/**
 * `apt-get update` downloads the package index into /var/lib/apt/lists. Only
 * a removal in the same RUN keeps it out of the layer: a later `RUN rm` adds
 * a whiteout on top, the bytes stay in the image.
 */
export const aptListsNotRemoved: Rule = {
  meta: {
    id: 'apt-lists-not-removed',
    title: 'apt package lists are left in the layer that downloaded them',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize, ARTICLES.slimming],
    judges: 'image',
    hadolint: ['DL3009'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      if (isMounted(run, APT.listsDir)) continue;
      const apt = packageCommands(run).filter(isApt);
      const update = apt.find(isAptUpdate);
      // Without an install in the same RUN, apt-update-alone reports the RUN.
      if (!update || !apt.some(isAptInstall)) continue;
      const lastUse = Math.max(
        ...apt.filter((item) => isAptUpdate(item) || isAptInstall(item)).map((item) => item.index),
      );
      const home = homeAt(model, run);
      if (deletedLater(run, lastUse, APT.listFile, home)) continue;
      const laterRm = laterRunDeleting(model, run, APT.listFile, home);
      const saving = aptListsEstimate(distroAt(model, run));
      const lastApt = apt[apt.length - 1]!;
      const fix = chainAfter(model, run, lastApt.command, 'rm -rf /var/lib/apt/lists/*');
      const _mb = Math.round(saving.bytes / 1e6);
      findings.push({
        message: laterRm
          ? `\`${update.tool} update\` leaves /var/lib/apt/lists in this layer; the rm at line ${laterRm.range.start.line + 1} runs in a later layer and saves nothing`
          : `\`${update.tool} update\` leaves /var/lib/apt/lists in this layer; remove it in the same RUN`,
        range: update.command.range,
        saving,
        ...(fix ? { fix: [fix] } : {}),
        hint: 'end the RUN that installs with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache: RUN --mount=type=cache,target=/var/lib/apt/lists',
      });
    }
    return findings;
  },
};
