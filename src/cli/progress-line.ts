/**
 * The one self-rewriting stderr line of `pare inspect` on a terminal: tar bytes
 * read, registry bytes downloaded, and, when the registry has sent nothing for
 * a while, how long it has been silent, so a stall is visible before it fails.
 */
import type { InspectProgress } from '../analyze/inspect.js';
import { formatBytes } from '../util/bytes.js';

/** Silence shorter than this is ordinary latency, not worth a word. */
const QUIET_AFTER_MS = 5_000;
const REDRAW_MS = 100;

export interface ProgressClock {
  now(): number;
  every(ms: number, tick: () => void): { stop(): void };
}

const realClock: ProgressClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};

export class ProgressLine {
  private last = Number.NEGATIVE_INFINITY;
  private shown = false;
  private read: InspectProgress | undefined;
  private downloaded = 0;
  private lastByteAt: number;
  private readonly ticker: { stop(): void };

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly clock: ProgressClock = realClock,
  ) {
    this.lastByteAt = clock.now();
    // Redrawn each second even when nothing arrives: that is when the line matters most.
    this.ticker = clock.every(1_000, () => this.draw(true));
  }

  /** Tar bytes read so far (from inspectImage's onProgress). */
  update(progress: InspectProgress): void {
    this.read = progress;
    this.draw(false);
  }

  /** Blob bytes just received from a registry. */
  received(bytes: number): void {
    this.downloaded += bytes;
    this.lastByteAt = this.clock.now();
    this.draw(false);
  }

  clear(): void {
    this.ticker.stop();
    if (this.shown) this.stream.write('\r\x1b[K');
  }

  /** The text of the line as it stands. */
  text(): string {
    const parts: string[] = [];
    const p = this.read;
    if (p) parts.push(`reading ${p.layers} layer${p.layers === 1 ? '' : 's'}`);
    if (this.downloaded > 0) parts.push(`${formatBytes(this.downloaded)} downloaded`);
    // Early in the line: a narrow terminal cuts the end, and this is what explains a pause.
    const silent = this.clock.now() - this.lastByteAt;
    if (this.downloaded > 0 && silent >= QUIET_AFTER_MS) {
      parts.push(`no data from the registry for ${Math.floor(silent / 1000)} s`);
    }
    if (p) {
      parts.push(`${formatBytes(p.bytesRead)} of tar data read`);
      // Layers are read concurrently and compressed, so a byte percentage would mix
      // units; finished stored bytes against the total is the honest fraction.
      if (p.compressedTotal > 0) {
        parts.push(
          `${formatBytes(p.compressedDone)} of ${formatBytes(p.compressedTotal)} stored bytes finished`,
        );
      }
    }
    return parts.join(' · ');
  }

  private draw(force: boolean): void {
    const now = this.clock.now();
    if (!force && now - this.last < REDRAW_MS) return;
    this.last = now;
    const line = this.text();
    if (line === '') return;
    this.stream.write(`\r${line.slice(0, (this.stream.columns || 80) - 1)}\x1b[K`);
    this.shown = true;
  }
}
