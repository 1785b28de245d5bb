/**
 * Turns the --probe-cmd / --probe-http / --probe-up flags (or the config's
 * `optimize.probe`, when no flag is given) into a ProbeSpec. Shared by
 * `pare optimize` and `pare slim`, which probe the same way.
 */
import { splitShellWords } from '../dockerfile/shell.js';
import { PareError } from '../util/errors.js';
import { type ProbeSpec, parseHttpProbe } from './probe.js';

export interface ProbeFlags {
  probeCmd?: string | undefined;
  probeHttp?: string | undefined;
  probeUp?: number | string | undefined;
}

export interface ProbeDefaults {
  cmd?: string | undefined;
  http?: string | undefined;
  up?: number | undefined;
}

/** The probe when nothing is asked for: the container starts and stays up. */
export const DEFAULT_PROBE: ProbeSpec = { kind: 'up', seconds: 5 };

export async function resolveProbe(flags: ProbeFlags, defaults: ProbeDefaults = {}): Promise<ProbeSpec> {
  const given = [flags.probeCmd, flags.probeHttp, flags.probeUp].filter((value) => value !== undefined);
  if (given.length > 1) throw new PareError('give one of --probe-cmd, --probe-http, --probe-up');
  const fromConfig = given.length === 0;
  const cmd = flags.probeCmd ?? (fromConfig ? defaults.cmd : undefined);
  const http = flags.probeHttp ?? (fromConfig ? defaults.http : undefined);
  const up = flags.probeUp ?? (fromConfig ? defaults.up : undefined);
  if (cmd !== undefined) {
    const args = await splitShellWords(String(cmd));
    if (!args) throw new PareError(`not a single command: ${cmd}`, { subject: '--probe-cmd' });
    return { kind: 'cmd', args };
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
