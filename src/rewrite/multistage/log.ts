/**
 * What a conversion says as it goes, kept in one place for every converter:
 * notes (what was done and why), warnings (what a person should check) and
 * the refusal that ends it (why it does not apply).
 */
import type { ConversionOutcome, ConvertibleEcosystem } from './types.js';

/** Notes and warnings a helper returns for the conversion to pass on. */
export interface Said {
  notes: readonly string[];
  warnings: readonly string[];
}

export class ConversionLog {
  readonly notes: string[] = [];
  readonly warnings: string[] = [];

  constructor(readonly ecosystem: ConvertibleEcosystem) {}

  note(...lines: string[]): void {
    this.notes.push(...lines);
  }

  /** The headline: what the conversion is, before the details. */
  lead(...lines: string[]): void {
    this.notes.unshift(...lines);
  }

  warn(...lines: string[]): void {
    this.warnings.push(...lines);
  }

  /** What a helper (a base choice, a final stage) said on the conversion's behalf. */
  absorb(said: Said): void {
    this.notes.push(...said.notes);
    this.warnings.push(...said.warnings);
  }

  /** The outcome that ends the conversion, naming the ecosystem it was for. */
  readonly refuse = (reason: string): ConversionOutcome => ({
    converted: false,
    reason,
    ecosystem: this.ecosystem,
  });
}
