/**
 * The before/after table, in the shape of the `docker images` listings the
 * articles in knowledge/articles compare sizes with, followed by what
 * changed, what each change saved, and any fallback.
 */
import pc from 'picocolors';
import type { OptimizeResult } from '../optimize/optimize.js';
import { formatBytes } from '../util/bytes.js';
import { terminalLine as shown } from '../util/terminal-text.js';
import { sizeChange } from './size-change.js';

export function renderOptimizeText(result: OptimizeResult, options: { color: boolean }): string {
  const c = options.color ? pc : pc.createColors(false);
  const out: string[] = [];
  const original = result.candidates.find((candidate) => candidate.name === 'original')!;
  const originalSize = original.measurement?.size ?? 0;
  const rows = [['DOCKERFILE', 'SIZE', 'LAYERS', 'VS ORIGINAL', 'PROBE']];
  for (const candidate of result.candidates) {
    const label =
      candidate.name === 'original'
        ? 'original'
        : `${candidate.name === 'safe' ? 'safe fixes' : candidate.name}${candidate.attributionOnly ? ' (measured for attribution)' : ''}`;
    const size = candidate.measurement ? formatBytes(candidate.measurement.size) : '-';
    const layers = candidate.measurement ? String(candidate.measurement.layers) : '-';
    const ratio =
      candidate.name === 'original' || !candidate.measurement
        ? ''
        : describeChange(candidate.measurement.size, originalSize);
    const probe = candidate.attributionOnly
      ? 'not probed'
      : candidate.failure
        ? c.red(`${candidate.failure.step} failed`)
        : candidate.probe
          ? c.green(`ok: ${shown(candidate.probe.summary)}`)
          : '-';
    rows.push([label, size, layers, ratio, probe]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => stripAnsi(row[column]!).length)));
  for (const [index, row] of rows.entries()) {
    const line = row
      .map((cell, column) => cell + ' '.repeat(widths[column]! - stripAnsi(cell).length))
      .join('   ');
    out.push(index === 0 ? c.bold(line.trimEnd()) : line.trimEnd());
  }
  out.push('');

  if (result.chosen === 'original') {
    const tried = result.candidates.some((candidate) => candidate.name !== 'original');
    out.push(
      c.yellow(
        tried
          ? 'No candidate both passed the probe and came out smaller; nothing was written.'
          : 'No candidate could be made, so none was built; nothing was written.',
      ),
    );
  } else {
    const chosen = result.candidates.find(
      (candidate) => candidate.name === result.chosen && !candidate.attributionOnly,
    )!;
    const saved = originalSize - (chosen.measurement?.size ?? originalSize);
    out.push(
      c.green(
        `✓ ${result.chosen === 'safe' ? 'safe fixes' : result.chosen}: ${formatBytes(saved)} smaller (${percent(chosen.measurement!.size, originalSize)}), same behaviour under the probe`,
      ),
    );
    if (result.output) {
      const also = [
        ...(result.keepList ? [result.keepList] : []),
        ...(result.dockerignore || chosen.dockerignore ? [`${result.output}.dockerignore`] : []),
      ];
      out.push(`  wrote ${result.output}${also.length > 0 ? ` and ${also.join(' and ')}` : ''}`);
    }
  }
  for (const reason of result.notMade ?? []) out.push(c.dim(`  not made: ${shown(reason)}`));
  for (const candidate of result.candidates) {
    if (!candidate.failure) continue;
    out.push(
      c.yellow(`  ${candidate.name}: ${candidate.failure.step} failed: ${shown(candidate.failure.message)}`),
    );
    for (const line of candidate.failure.log ?? []) out.push(c.dim(`    │ ${shown(line)}`));
  }
  if (result.contributions.length > 0) {
    out.push('', 'What each change saved');
    for (const contribution of result.contributions)
      out.push(`  ${formatBytes(contribution.bytes).padStart(9)}  ${shown(contribution.change)}`);
  }
  if (result.conversion.length > 0) {
    out.push('', result.chosen === 'closure' ? 'Runtime closure' : 'Multi-stage conversion');
    for (const note of result.conversion) out.push(`  - ${shown(note)}`);
  }
  if (result.fixes.length > 0) {
    out.push('', `Rule fixes (${result.fixes.length})`);
    for (const fix of result.fixes) out.push(`  - ${shown(fix)}`);
  }
  if (result.dockerignore) {
    out.push(
      '',
      `.dockerignore: excludes ${result.dockerignore.added.join(', ')} (${formatBytes(result.dockerignore.bytesExcluded)} of the context)`,
    );
  }
  return `${out.join('\n')}\n`;
}

function percent(size: number, original: number): string {
  return sizeChange(size, original)?.percent ?? '';
}

/** "-99.8% (651.9x smaller)", "+9.0% (1.1x larger)", "0.0% (same size)". */
function describeChange(size: number, original: number): string {
  const change = sizeChange(size, original);
  return change ? `${change.percent} (${change.factor})` : '';
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
