/**
 * An image's runtime config written back as Dockerfile instructions, field
 * for field, so a stage built FROM scratch runs exactly as the image it was
 * picked from: ENV, LABEL, USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL, SHELL,
 * HEALTHCHECK, ENTRYPOINT and CMD. Values are escaped so the Dockerfile
 * parser gives back the same strings (no `$` expansion, no word splitting).
 */
import type { ContainerConfig } from '../../image/types.js';
import { PareError } from '../../util/errors.js';
import { jsonArray } from '../multistage/emit.js';

export function configInstructions(config: ContainerConfig, escapeChar: '\\' | '`' = '\\'): string[] {
  const lines: string[] = [];
  const pairs = (entries: Array<[string, string]>) =>
    entries.map(([key, value]) => `${key}=${quoted(value, escapeChar)}`).join(` ${escapeChar}\n    `);
  const env = (config.Env ?? []).map((entry): [string, string] => {
    const at = entry.indexOf('=');
    return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
  });
  if (env.length > 0) lines.push(`ENV ${pairs(env)}`);
  const labels = Object.entries(config.Labels ?? {});
  if (labels.length > 0) lines.push(`LABEL ${pairs(labels.map(([k, v]) => [quoted(k, escapeChar), v]))}`);
  if (config.Shell && config.Shell.length > 0) lines.push(`SHELL ${jsonArray(config.Shell)}`);
  const ports = Object.keys(config.ExposedPorts ?? {});
  if (ports.length > 0) lines.push(`EXPOSE ${ports.join(' ')}`);
  const volumes = Object.keys(config.Volumes ?? {});
  if (volumes.length > 0) lines.push(`VOLUME ${jsonArray(volumes)}`);
  if (config.StopSignal) lines.push(`STOPSIGNAL ${literal(config.StopSignal, escapeChar)}`);
  const health = healthcheckLine(config.Healthcheck);
  if (health) lines.push(health);
  if (config.WorkingDir) lines.push(`WORKDIR ${literal(config.WorkingDir, escapeChar)}`);
  if (config.User) lines.push(`USER ${literal(config.User, escapeChar)}`);
  if (config.Entrypoint && config.Entrypoint.length > 0)
    lines.push(`ENTRYPOINT ${jsonArray(config.Entrypoint)}`);
  if (config.Cmd && config.Cmd.length > 0) lines.push(`CMD ${jsonArray(config.Cmd)}`);
  return lines;
}

function healthcheckLine(check: ContainerConfig['Healthcheck']): string | undefined {
  const [kind, ...rest] = check?.Test ?? [];
  if (kind !== 'CMD' && kind !== 'CMD-SHELL') return undefined;
  const options = [
    check?.Interval ? `--interval=${duration(check.Interval)}` : undefined,
    check?.Timeout ? `--timeout=${duration(check.Timeout)}` : undefined,
    check?.StartPeriod ? `--start-period=${duration(check.StartPeriod)}` : undefined,
    check?.Retries ? `--retries=${check.Retries}` : undefined,
  ].filter((option): option is string => option !== undefined);
  // Exec form for both: a CMD-SHELL test is the shell's argument, which the JSON keeps exact.
  const command = kind === 'CMD' ? jsonArray(rest) : (rest[0] ?? '');
  if (kind === 'CMD-SHELL' && /\n/.test(command)) {
    throw new PareError('the HEALTHCHECK command spans lines; it cannot be written back as one instruction');
  }
  return ['HEALTHCHECK', ...options, 'CMD', command].join(' ');
}

/** Nanoseconds as a Go duration the Dockerfile parser reads (`30s`, `1500ms`). */
export function duration(nanoseconds: number): string {
  if (nanoseconds % 1e9 === 0) return `${nanoseconds / 1e9}s`;
  if (nanoseconds % 1e6 === 0) return `${nanoseconds / 1e6}ms`;
  return `${Math.round(nanoseconds / 1e3)}us`;
}

/** A value in double quotes with `"`, `$` and the escape character escaped. */
function quoted(value: string, escapeChar: '\\' | '`'): string {
  if (/\n/.test(value)) {
    throw new PareError(
      `a config value spans lines and cannot be written as an instruction: ${value.slice(0, 40)}`,
    );
  }
  const special = escapeChar === '\\' ? /(["\\$])/g : /(["`$])/g;
  return `"${value.replace(special, `${escapeChar}$1`)}"`;
}

/** A single word (USER, WORKDIR, STOPSIGNAL): `$` escaped, quoted only when it holds blanks. */
function literal(value: string, escapeChar: '\\' | '`'): string {
  return /\s/.test(value) ? quoted(value, escapeChar) : value.replace(/\$/g, `${escapeChar}$`);
}
