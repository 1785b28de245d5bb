/**
 * The progress line `pare inspect` keeps on a terminal: what has been read and
 * downloaded, and how long the registry has been silent once that is long
 * enough to matter, redrawn each second even when no byte arrives.
 */
import { describe, expect, it } from 'vitest';
import { type ProgressClock, ProgressLine } from '../../src/cli/progress-line.js';

function terminal() {
  const writes: string[] = [];
  const stream = {
    columns: 200,
    write: (text: string) => writes.push(text),
  } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

function manualClock() {
  let now = 0;
  const ticks: Array<() => void> = [];
  const clock: ProgressClock = {
    now: () => now,
    every: (_ms, tick) => {
      ticks.push(tick);
      return { stop: () => ticks.splice(ticks.indexOf(tick), 1) };
    },
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
      for (const tick of [...ticks]) tick();
    },
    get running() {
      return ticks.length;
    },
  };
}

const reading = { layer: 0, layers: 2, bytesRead: 4_000_000, compressedDone: 0, compressedTotal: 9_000_000 };

describe('ProgressLine', () => {
  it('shows what was read and downloaded', () => {
    const { stream } = terminal();
    const time = manualClock();
    const line = new ProgressLine(stream, time.clock);
    line.update(reading);
    line.received(1_500_000);
    expect(line.text()).toBe(
      'reading 2 layers · 1.50 MB downloaded · 4.00 MB of tar data read · 0 B of 9.00 MB stored bytes finished',
    );
  });

  it('says how long the registry has been silent, redrawing while nothing arrives', () => {
    const { stream, writes } = terminal();
    const time = manualClock();
    const line = new ProgressLine(stream, time.clock);
    line.received(1_000);
    time.advance(4_000);
    expect(line.text()).not.toContain('no data');
    time.advance(8_000);
    expect(writes.at(-1)).toContain('1.00 kB downloaded · no data from the registry for 12 s');
    line.received(10);
    expect(line.text()).not.toContain('no data');
  });

  it('stops redrawing and erases itself when cleared', () => {
    const { stream, writes } = terminal();
    const time = manualClock();
    const line = new ProgressLine(stream, time.clock);
    line.received(1);
    line.clear();
    expect(time.running).toBe(0);
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
