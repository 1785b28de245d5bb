import { shippedStages } from '../../dockerfile/stages.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { formatBytes } from '../../util/bytes.js';
import type { Rule, RuleFinding, Severity } from '../types.js';
import { runsOf } from '../util.js';

/** struct lastlog (292 bytes on 64-bit glibc) + struct faillog (32 bytes), one record per UID up to the user's. */
const LOG_RECORD_BYTES = 292 + 32;
/** From here the logs are tens of MB: a real size cost. */
const LARGE_UID = 65536;
/** Below this the logs stay under 1 MiB: not worth a finding. */
const NOTABLE_UID = Math.ceil((1024 * 1024) / LOG_RECORD_BYTES);

function uidArgument(args: readonly string[]): { value: string } | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '-u' || arg === '--uid') return { value: args[i + 1] ?? '' };
    if (arg.startsWith('--uid=')) return { value: arg.slice(6) };
    // `-u1000`, or `-mu 1000` (combined short options, -u last)
    if (/^-[a-zA-Z]*u/.test(arg) && !arg.startsWith('--')) {
      const rest = arg.slice(arg.indexOf('u') + 1);
      return { value: rest !== '' ? rest : (args[i + 1] ?? '') };
    }
  }
  return undefined;
}

/**
 * `useradd -u 123456 app` writes /var/log/lastlog and /var/log/faillog as
 * sparse files with one record per UID up to 123456; layers store them in
 * full (moby/moby#5419): 40 MB here, hundreds of GB for LDAP-sized UIDs.
 * `useradd -l` (--no-log-init) skips them.
 */
export const useraddWithoutL: Rule = {
  meta: {
    id: 'useradd-without-l',
    title: 'useradd with a large UID and without -l writes huge lastlog/faillog files',
    severity: 'warning',
    fixable: true,
    articles: [],
    judges: 'image',
    hadolint: ['DL3046'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const stage of shippedStages(model)) {
      for (const run of runsOf(stage)) {
        for (const command of run.script.commands) {
          if (command.program !== 'useradd' || hasOption(command.args, '-l', '--no-log-init')) continue;
          const uid = uidArgument(command.args);
          if (!uid) continue; // the next free UID (≥ 1000) costs about 300 kB: not reported
          const written = /(?:^|\s)(?:-[a-zA-Z]*u|--uid)(?:=|\s+)?(\S+)/.exec(command.text)?.[1] ?? uid.value;
          const fromVariable = written.includes('$');
          const numeric = /^\d+$/.test(uid.value) ? Number(uid.value) : undefined;
          let severity: Severity;
          let what: string;
          if (numeric !== undefined && numeric >= LARGE_UID) {
            severity = 'warning';
            what = `UID ${numeric} makes /var/log/lastlog and faillog about ${formatBytes((numeric + 1) * LOG_RECORD_BYTES)} in the layer`;
          } else if (fromVariable) {
            severity = 'info';
            what = `the UID comes from ${written}; a large value passed with --build-arg makes /var/log/lastlog and faillog up to GBs in the layer`;
          } else if (numeric !== undefined && numeric >= NOTABLE_UID) {
            severity = 'info';
            what = `UID ${numeric} makes /var/log/lastlog and faillog about ${formatBytes((numeric + 1) * LOG_RECORD_BYTES)} in the layer`;
          } else continue;
          const finding: RuleFinding = {
            message: `useradd without -l (--no-log-init): ${what}`,
            range: command.range,
            severity,
          };
          if (numeric !== undefined && !fromVariable) {
            finding.saving = {
              bytes: (numeric + 1) * LOG_RECORD_BYTES,
              basis: `lastlog (292 B) and faillog (32 B) records for UIDs 0-${numeric}, stored in full in the layer tar`,
            };
          }
          const fix = insertL(model.text, command);
          if (fix) finding.fix = [fix];
          else finding.hint = 'add -l to the useradd command';
          findings.push(finding);
        }
      }
    }
    return findings;
  },
};

/** Inserts ` -l` right after the `useradd` word of the command's text. */
function insertL(
  text: string,
  command: { range: { start: { offset: number }; end: { offset: number } }; nested: boolean; name: string },
) {
  if (command.nested) return undefined;
  const start = command.range.start.offset;
  const source = text.slice(start, command.range.end.offset);
  const escaped = command.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?:^|\\s)${escaped}(?=\\s|$)`).exec(source);
  if (!match) return undefined;
  const offset = start + match.index + match[0].length;
  return { start: offset, end: offset, newText: ' -l' };
}
