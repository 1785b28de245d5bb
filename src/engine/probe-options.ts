/**
 * Turns the --probe-cmd / --probe-http / --probe-up flags (or the config's
 * `optimize.probe`, when no flag is given) into a ProbeSpec. Shared by
 * `pare optimize` and `pare slim`, which probe the same way.
 */
import { PareError } from '../util/errors.js';
import { splitWords } from '../util/shell-words.js';
import { type ProbeSpec, parseHttpProbe } from './probe.js';

export interface ProbeFlags {
  probeCmd?: string | undefined;
  probeHttp?: string | undefined;
  probeUp?: number | string | undefined;
  /** `KEY=VALUE`, repeatable: the environment of every container the probe starts. */
  probeEnv?: string | string[] | undefined;
}

export interface ProbeDefaults {
  cmd?: string | undefined;
  http?: string | undefined;
  up?: number | undefined;
  env?: Record<string, string> | undefined;
}

/** The probe when nothing is asked for: the container starts and stays up. */
const DEFAULT_PROBE: ProbeSpec = { kind: 'up', seconds: 5 };

export async function resolveProbe(flags: ProbeFlags, defaults: ProbeDefaults = {}): Promise<ProbeSpec> {
  const spec = probeKind(flags, defaults);
  // The config's environment applies whatever the probe kind; a flag's value wins over the config's.
  const env = { ...defaults.env, ...parseProbeEnv(flags.probeEnv) };
  return Object.keys(env).length > 0 ? { ...spec, env } : spec;
}

function probeKind(flags: ProbeFlags, defaults: ProbeDefaults): ProbeSpec {
  const given = [flags.probeCmd, flags.probeHttp, flags.probeUp].filter((value) => value !== undefined);
  if (given.length > 1) throw new PareError('give one of --probe-cmd, --probe-http, --probe-up');
  const fromConfig = given.length === 0;
  const cmd = flags.probeCmd ?? (fromConfig ? defaults.cmd : undefined);
  const http = flags.probeHttp ?? (fromConfig ? defaults.http : undefined);
  const up = flags.probeUp ?? (fromConfig ? defaults.up : undefined);
  if (cmd !== undefined) {
    const split = splitWords(String(cmd));
    if ('error' in split) throw new PareError(`${split.error}: ${cmd}`, { subject: '--probe-cmd' });
    return { kind: 'cmd', args: split.words };
  }
  if (http !== undefined) return parseHttpProbe(String(http));
  if (up !== undefined) return { kind: 'up', seconds: positiveSeconds(up, '--probe-up') };
  return DEFAULT_PROBE;
}

/** A positive number of seconds from a flag, or a one-line error naming the flag. */
export function positiveSeconds(value: number | string, flag: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PareError(`expected seconds, got "${value}"`, { subject: flag });
  }
  return seconds;
}

/** `--probe-env KEY=VALUE` (repeatable) as an environment; a word without `=` is a one-line error. */
function parseProbeEnv(values: string | string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values === undefined ? [] : Array.isArray(values) ? values : [values]) {
    const at = String(value).indexOf('=');
    const name = String(value).slice(0, at);
    if (at <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new PareError(`expected KEY=VALUE, got "${value}"`, { subject: '--probe-env' });
    }
    env[name] = String(value).slice(at + 1);
  }
  return env;
}
