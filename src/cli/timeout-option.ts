/**
 * `--timeout SECONDS` of the commands that read images: the total time a
 * registry image may take to read. Stalls fail on their own after 30 s; this
 * bounds a registry that keeps sending, too slowly to ever finish.
 */
import { PareError } from '../util/errors.js';

/** Half an hour: a few GB over a slow link, far beyond what a stuck CI job should wait. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

/** The timeout in ms; 0 means none. */
export function timeoutOption(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const text = String(value).trim();
  if (!/^\d+(?:\.\d+)?$/.test(text)) {
    throw new PareError(`expected seconds (0 for no limit), got "${text}"`, { subject: '--timeout' });
  }
  return Math.round(Number(text) * 1000);
}
