/**
 * Wasted bytes and efficiency, twice:
 *
 * dive's figures (wagoodman/dive, dive/filetree/efficiency.go `Efficiency` and
 * dive/image/analysis.go `Analyze`), replicated so users can compare numbers:
 * every layer's own tree is visited leaf by leaf; each visit of a path adds
 * its size to that path's cumulative size and lowers its minimum. A whiteout
 * is a visit of the path it deletes, sized by the deleted subtree when the
 * lower layers hold an explicit directory entry there and 0 otherwise.
 *   wasted     = Σ cumulative size of paths visited in two or more layers
 *                (the first occurrence included)
 *   efficiency = Σ minimum size / Σ cumulative size over all paths (1 when Σ is 0)
 *   user waste = wasted / Σ content bytes of every layer but the first
 *
 * pare's figure: bytes some layer stores that the final filesystem does not
 * contain (deleted or overwritten later, or hidden by an opaque directory),
 * counting a hard-linked inode once. Each wasted byte is charged to the
 * layer that wrote it.
 *   wasted     = Σ layer content bytes − final filesystem bytes
 *   efficiency = final filesystem bytes / Σ layer content bytes (1 when Σ is 0)
 *
 * docs/inspect.md has both with a worked example.
 */
import { FirstN } from '../util/first-n.js';
import type { LayerTally, TreeSummary } from './tallies.js';

interface RepeatedPath {
  cumulative: number;
  minimum: number;
  count: number;
}

/** dive's per-path statistics, keyed by file-tree node id. */
export class DiveTally {
  /** Σ over paths of the minimum size seen. */
  minimumSum = 0;
  /** Σ over paths of all sizes seen. */
  cumulativeSum = 0;
  /** Σ cumulative size of paths seen more than once. */
  wastedBytes = 0;

  private firstSize = new Float64Array(1024);
  private seen = new Uint8Array(1024);
  private readonly repeated = new Map<number, RepeatedPath>();

  record(id: number, size: number): void {
    if (id >= this.seen.length) this.grow(id + 1);
    if (this.seen[id] === 0) {
      this.seen[id] = 1;
      this.firstSize[id] = size;
      this.cumulativeSum += size;
      this.minimumSum += size;
      return;
    }
    this.cumulativeSum += size;
    const entry = this.repeated.get(id);
    if (!entry) {
      const first = this.firstSize[id]!;
      const minimum = Math.min(first, size);
      this.repeated.set(id, { cumulative: first + size, minimum, count: 2 });
      this.minimumSum += minimum - first;
      this.wastedBytes += first + size;
      return;
    }
    entry.cumulative += size;
    entry.count++;
    this.wastedBytes += size;
    if (size < entry.minimum) {
      this.minimumSum += size - entry.minimum;
      entry.minimum = size;
    }
  }

  get efficiency(): number {
    return this.cumulativeSum === 0 ? 1 : this.minimumSum / this.cumulativeSum;
  }

  /** dive's inefficient paths, largest cumulative size first (dive's UI order). */
  repeatedPaths(limit: number): Array<{ id: number; count: number; bytes: number }> {
    // The first `limit` kept as the rows stream past, not every row listed and sorted (tens of
    // thousands on an image whose layers rewrite a tree, a few MB at inspect's peak).
    const first = new FirstN<{ id: number; count: number; bytes: number }>(
      limit,
      (a, b) => b.bytes - a.bytes || a.id - b.id,
    );
    for (const [id, entry] of this.repeated) first.offer({ id, count: entry.count, bytes: entry.cumulative });
    return first.result();
  }

  get repeatedPathCount(): number {
    return this.repeated.size;
  }

  approxMemoryBytes(): number {
    return this.seen.length * 9 + this.repeated.size * 80;
  }

  private grow(min: number): void {
    let size = this.seen.length;
    while (size < min) size *= 2;
    const first = new Float64Array(size);
    first.set(this.firstSize);
    this.firstSize = first;
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    this.seen = seen;
  }
}

export interface DiveFigures {
  /** Σ minimum / Σ cumulative, 0..1. */
  efficiency: number;
  wastedBytes: number;
  /** Σ content bytes of layers 1..n (dive's "user size"). */
  userBytes: number;
  /** wastedBytes / userBytes; null when the image has a single layer. */
  userWastedRatio: number | null;
  /** Paths dive lists as inefficient (seen in two or more layers). */
  repeatedPaths: number;
}

export interface PareFigures {
  /** final bytes / content bytes, 0..1. */
  efficiency: number;
  wastedBytes: number;
  /** Σ of every layer's content bytes. */
  contentBytes: number;
  /** Bytes of the final filesystem, hard links counted once. */
  finalBytes: number;
}

export interface EfficiencyFigures {
  dive: DiveFigures;
  pare: PareFigures;
}

export function efficiencyFigures(
  tally: DiveTally,
  layers: LayerTally[],
  final: TreeSummary,
): EfficiencyFigures {
  const contentBytes = layers.reduce((sum, layer) => sum + layer.contentBytes, 0);
  const userBytes = layers.slice(1).reduce((sum, layer) => sum + layer.contentBytes, 0);
  const pareWasted = layers.reduce((sum, layer) => sum + layer.wastedBytes, 0);
  return {
    dive: {
      efficiency: tally.efficiency,
      wastedBytes: tally.wastedBytes,
      userBytes,
      userWastedRatio: userBytes === 0 ? null : tally.wastedBytes / userBytes,
      repeatedPaths: tally.repeatedPathCount,
    },
    pare: {
      efficiency: contentBytes === 0 ? 1 : final.bytes / contentBytes,
      wastedBytes: pareWasted,
      contentBytes,
      finalBytes: final.bytes,
    },
  };
}
