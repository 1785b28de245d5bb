/**
 * Environment variables as they stand before each instruction. A Dockerfile of
 * n ENV lines has n environments; copying each one whole is quadratic, so an
 * Environment holds only its own changes over the one before it, and folds the
 * layers into one every FOLD_DEPTH changes so a lookup never walks far.
 */
export class Environment {
  static readonly EMPTY = new Environment(new Map(), undefined, 0);

  private constructor(
    private readonly own: ReadonlyMap<string, string>,
    private readonly parent: Environment | undefined,
    private readonly depth: number,
  ) {}

  static of(values: Readonly<Record<string, string | undefined>>): Environment {
    return Environment.EMPTY.with(Object.entries(values));
  }

  /** This environment with `changes` applied; undefined values leave a variable as it was. */
  with(changes: Iterable<readonly [string, string | undefined]>): Environment {
    const own = new Map<string, string>();
    for (const [name, value] of changes) if (value !== undefined) own.set(name, value);
    if (own.size === 0) return this;
    if (this.depth + 1 < FOLD_DEPTH) return new Environment(own, this, this.depth + 1);
    const folded = new Map<string, string>();
    for (const layer of this.layersRootFirst())
      for (const [name, value] of layer.own) folded.set(name, value);
    for (const [name, value] of own) folded.set(name, value);
    return new Environment(folded, undefined, 0);
  }

  get(name: string): string | undefined {
    for (let layer: Environment | undefined = this; layer; layer = layer.parent) {
      const value = layer.own.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private layersRootFirst(): Environment[] {
    const layers: Environment[] = [];
    for (let layer: Environment | undefined = this; layer; layer = layer.parent) layers.push(layer);
    return layers.reverse();
  }
}

/** Folding every 32 changes costs 1/32 of a copy per change and at most 32 map reads per lookup. */
const FOLD_DEPTH = 32;
