/**
 * Environment variables as they stand before each instruction. A Dockerfile of
 * n ENV lines has n environments; copying each one whole is quadratic. An
 * Environment is a stack of maps, newest on top, where each map is at least
 * twice as large as the one above it (a layer that grows too large for that is
 * merged into the one below, as a binary counter carries): a lookup reads at
 * most log2(n) maps, and each variable is copied log2(n) times in all.
 * Environments are never changed: `with` returns a new one sharing the rest.
 */
export class Environment {
  static readonly EMPTY = new Environment(new Map(), undefined);

  private constructor(
    private readonly own: ReadonlyMap<string, string>,
    private readonly below: Environment | undefined,
  ) {}

  static of(values: Readonly<Record<string, string | undefined>>): Environment {
    return Environment.EMPTY.with(Object.entries(values));
  }

  /** This environment with `changes` applied; undefined values leave a variable as it was. */
  with(changes: Iterable<readonly [string, string | undefined]>): Environment {
    let own = new Map<string, string>();
    for (const [name, value] of changes) if (value !== undefined) own.set(name, value);
    if (own.size === 0) return this;
    let below: Environment | undefined = this;
    while (below && below.own.size <= 2 * own.size) {
      const merged = new Map(below.own);
      for (const [name, value] of own) merged.set(name, value);
      own = merged;
      below = below.below;
    }
    return new Environment(own, below);
  }

  get(name: string): string | undefined {
    for (let layer: Environment | undefined = this; layer; layer = layer.below) {
      const value = layer.own.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
