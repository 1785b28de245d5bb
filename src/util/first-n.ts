/**
 * The first n items in an order, kept as items stream past: the list is cut
 * back to the first n (sorted) whenever it reaches 4n, so it never holds more
 * than 4n however many are offered. For reports that show the top n of
 * every path in an image without listing every path.
 */
export class FirstN<T> {
  private kept: T[] = [];

  constructor(
    private readonly n: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    this.kept.push(item);
    if (this.kept.length >= 4 * this.n) this.kept = this.kept.sort(this.order).slice(0, this.n);
  }

  /** The first n offered, in order. */
  result(): T[] {
    return this.kept.sort(this.order).slice(0, this.n);
  }
}
