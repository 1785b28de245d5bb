/**
 * The human report of `pare inspect`: the layer table (sizes, waste, the
 * instruction that made each layer, cut to the terminal width), the
 * efficiency figures, leftovers with their savings, the largest paths, and
 * the tree when asked for. Colour only when the caller says so. Every name
 * that comes from the image goes through `shown`: it may hold control characters.
 */
import pc from 'picocolors';
import type { BudgetCheck } from '../analyze/budgets.js';
import type { InspectResult, LayerReport } from '../analyze/inspect.js';
import type { TreeViewNode } from '../analyze/top-paths.js';
import { compressionFromMediaType } from '../image/compression.js';
import { formatBytes } from '../util/bytes.js';
import { terminalLine as shown } from '../util/terminal-text.js';

type Colors = ReturnType<typeof pc.createColors>;

export interface InspectTextOptions {
  color: boolean;
  /** Columns available; long instructions and paths are cut to fit. */
  width: number;
  budgets?: BudgetCheck[];
}

export function renderInspectText(result: InspectResult, options: InspectTextOptions): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width);
  const out: string[] = [];
  const { image, size, efficiency } = result;
  const platform = [image.os, image.architecture, image.variant].filter(Boolean).join('/');
  out.push(`${c.bold(shown(image.reference))}  ${c.dim(shortId(image.configDigest))}  ${shown(platform)}`);
  out.push(
    `${c.bold(formatBytes(size.finalBytes))} in ${count(size.files, 'file')} · ${formatBytes(size.compressedBytes)} ${storedAs(result.layers)} · ${count(result.layers.length, 'layer')}`,
  );
  out.push('');

  out.push(c.bold('Layers'));
  out.push(...layerTable(result.layers, width, c));
  out.push('');

  out.push(c.bold('Efficiency'));
  const dive = efficiency.dive;
  const userShare = dive.userWastedRatio === null ? '' : ` (${percent(dive.userWastedRatio)} of user layers)`;
  out.push(
    `  dive  ${paintScore(dive.efficiency, c)} efficient · ${formatBytes(dive.wastedBytes)} wasted${userShare}`,
  );
  out.push(
    `  pare  ${paintScore(efficiency.pare.efficiency, c)} of stored bytes reach the final filesystem · ${formatBytes(efficiency.pare.wastedBytes)} do not`,
  );
  out.push('');

  if (efficiency.inefficientPaths.length > 0) {
    out.push(c.bold('Inefficient paths (dive: written in more than one layer)'));
    for (const entry of efficiency.inefficientPaths) {
      out.push(
        cut(
          `${formatBytes(entry.bytes).padStart(10)}  ${shown(entry.path)} ${c.dim(`(${entry.count}×)`)}`,
          width,
        ),
      );
    }
    // The list is capped at --top; without saying so a reader takes it for all of them.
    const more = dive.repeatedPaths - efficiency.inefficientPaths.length;
    if (more > 0) out.push(c.dim(`  … ${more} more; --top to show more`));
    out.push('');
  }

  out.push(
    c.bold(
      result.leftovers.length === 0
        ? 'Leftovers: none found'
        : `Leftovers: ${formatBytes(result.leftoverBytes)} could be removed`,
    ),
  );
  for (const finding of result.leftovers) {
    const bytes = `${finding.estimated ? '~' : ''}${formatBytes(finding.bytes)}`.padStart(10);
    const where = finding.layerIndexes.length > 0 ? `layer ${finding.layerIndexes[0]}` : '';
    out.push(
      `${c.yellow(bytes)}  ${shown(finding.title)} ${c.dim(`(${finding.detector}, ${count(finding.files, 'file')})`)}`,
    );
    const pathLine = `${' '.repeat(12)}${finding.paths.map(shown).join(', ')}`;
    out.push(cut(pathLine, width));
    if (where) {
      const made = finding.instruction ? `${where}: ${shown(finding.instruction)}` : where;
      out.push(cut(`${' '.repeat(12)}${c.dim(made)}`, width));
    }
    if (finding.hint) {
      for (const line of wrap(`→ ${shown(finding.hint)}`, width - 12))
        out.push(`${' '.repeat(12)}${c.cyan(line)}`);
    }
  }
  if (result.leftovers.some((f) => f.estimated)) out.push(c.dim('  ~ estimated'));
  out.push('');

  if (result.topFiles.length > 0) {
    out.push(c.bold('Largest files'));
    for (const entry of result.topFiles) {
      out.push(
        cut(
          `${formatBytes(entry.bytes).padStart(10)}  ${shown(entry.path)} ${c.dim(`(layer ${entry.layer})`)}`,
          width,
        ),
      );
    }
    out.push('');
  }
  if (result.topDirectories.length > 0) {
    out.push(c.bold('Largest directories'));
    for (const entry of result.topDirectories) {
      out.push(
        cut(
          `${formatBytes(entry.bytes).padStart(10)}  ${shown(entry.path)} ${c.dim(`(${count(entry.files, 'file')})`)}`,
          width,
        ),
      );
    }
    out.push('');
  }
  if (result.tree) {
    out.push(c.bold('Tree'));
    out.push(...renderTree(result.tree, width, c));
    out.push('');
  }
  for (const warning of result.warnings) out.push(c.yellow(`warning: ${shown(warning)}`));
  if (options.budgets && options.budgets.length > 0) {
    out.push(c.bold('Budgets'));
    for (const budget of options.budgets) {
      out.push(`  ${budget.exceeded ? c.red('✗') : c.green('✓')} ${shown(budget.message)}`);
    }
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/**
 * What the layers' stored bytes are: a daemon's `docker save` and many OCI
 * layouts store plain tars, so "compressed" would be wrong there.
 */
function storedAs(layers: readonly LayerReport[]): string {
  const kinds = new Set(layers.map((layer) => compressionFromMediaType(layer.mediaType) ?? 'none'));
  if (kinds.size !== 1) return 'as stored (mixed compression)';
  const [kind] = kinds;
  return kind === 'none' ? 'as stored (plain tars)' : `${kind}-compressed`;
}

function layerTable(layers: LayerReport[], width: number, c: Colors): string[] {
  const withLines = layers.some((layer) => layer.dockerfile);
  const header = ['#', 'SIZE', 'STORED', 'WASTED', ...(withLines ? ['LINE'] : [])];
  const rows = layers.map((layer) => [
    String(layer.index),
    formatBytes(layer.contentBytes),
    formatBytes(layer.compressedBytes),
    layer.wastedBytes > 0 ? formatBytes(layer.wastedBytes) : '-',
    ...(withLines
      ? [layer.dockerfile ? lineRange(layer.dockerfile.startLine, layer.dockerfile.endLine) : '']
      : []),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const pad = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  const lines = [`  ${c.dim(`${pad(header)}  INSTRUCTION`)}`];
  const prefix = 2 + widths.reduce((sum, w) => sum + w + 2, 0);
  layers.forEach((layer, i) => {
    const cells = pad(rows[i]!);
    const instruction = layer.instruction ? shown(layer.instruction) : c.dim('(no history)');
    const room = Math.max(10, width - prefix);
    const text = layer.instruction ? truncate(instruction, room) : instruction;
    const wasted = layer.wastedBytes > 0 ? c.yellow(cells) : cells;
    lines.push(`  ${wasted}  ${text}`);
  });
  return lines;
}

function renderTree(root: TreeViewNode, width: number, c: Colors): string[] {
  const lines = [`${formatBytes(root.bytes).padStart(10)}  /`];
  const walk = (node: TreeViewNode, indent: string) => {
    const children = node.children ?? [];
    const omitted = node.omitted;
    children.forEach((child, i) => {
      const last = i === children.length - 1 && !omitted;
      const branch = last ? '└── ' : '├── ';
      const name = child.type === 'directory' ? c.blue(`${shown(child.name)}/`) : shown(child.name);
      const target = child.target !== undefined ? c.dim(` → ${shown(child.target)}`) : '';
      lines.push(cut(`${formatBytes(child.bytes).padStart(10)}  ${indent}${branch}${name}${target}`, width));
      walk(child, indent + (last ? '    ' : '│   '));
    });
    if (omitted) {
      lines.push(
        `${formatBytes(omitted.bytes).padStart(10)}  ${indent}└── ${c.dim(`… ${count(omitted.entries, 'more entry', 'more entries')}`)}`,
      );
    }
  };
  walk(root, '');
  return lines;
}

function lineRange(start: number, end: number): string {
  return start === end ? `${start}` : `${start}-${end}`;
}

function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function paintScore(ratio: number, c: Colors): string {
  const text = percent(ratio);
  return ratio >= 0.95 ? c.green(text) : ratio >= 0.8 ? c.yellow(text) : c.red(text);
}

/** Breaks text at spaces into lines of at most `max` characters (longer words stay whole). */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Cuts plain text to `max` characters with an ellipsis. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Cuts a line that may hold colour codes to `width` visible characters. */
function cut(line: string, width: number): string {
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= width) return line;
  // Drop the colours rather than cut inside an escape sequence.
  return truncate(visible, width);
}
