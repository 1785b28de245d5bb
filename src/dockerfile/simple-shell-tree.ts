import type { ShellCursor, ShellNode, ShellTree } from './shell-tree.js';

/**
 * A node of the fast path's tree, shaped as tree-sitter-bash's: the same
 * types, named flags, offsets and field names, so the shell walk cannot tell
 * them apart. Plain objects: no WASM memory, nothing to free.
 */
export class SimpleNode implements ShellNode {
  readonly hasError = false;
  private named: SimpleNode[] | undefined;

  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly children: SimpleNode[] = [],
    /** Field name of each child, or null; empty when no child has one. */
    private readonly fields: ReadonlyArray<string | null> = [],
  ) {}

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildren(): SimpleNode[] {
    this.named ??= this.children.filter((child) => child.isNamed);
    return this.named;
  }

  child(index: number): SimpleNode | null {
    return this.children[index] ?? null;
  }

  childForFieldName(fieldName: string): SimpleNode | null {
    const index = this.fields.indexOf(fieldName);
    return index === -1 ? null : this.children[index]!;
  }

  fieldNameForChild(index: number): string | null {
    return this.fields[index] ?? null;
  }

  walk(): ShellCursor {
    return new SimpleCursor(this);
  }
}

/** Walks a SimpleNode tree as web-tree-sitter's TreeCursor does: never above the node it began at. */
class SimpleCursor implements ShellCursor {
  /** The nodes from the start down to the current one, and each one's index in its parent. */
  private readonly path: SimpleNode[];
  private readonly indexes: number[] = [];

  constructor(start: SimpleNode) {
    this.path = [start];
  }

  get currentNode(): SimpleNode {
    return this.path[this.path.length - 1]!;
  }

  get nodeType(): string {
    return this.currentNode.type;
  }

  get nodeIsNamed(): boolean {
    return this.currentNode.isNamed;
  }

  gotoFirstChild(): boolean {
    const first = this.currentNode.children[0];
    if (!first) return false;
    this.path.push(first);
    this.indexes.push(0);
    return true;
  }

  gotoNextSibling(): boolean {
    if (this.indexes.length === 0) return false;
    const parent = this.path[this.path.length - 2]!;
    const next = this.indexes[this.indexes.length - 1]! + 1;
    const sibling = parent.children[next];
    if (!sibling) return false;
    this.path[this.path.length - 1] = sibling;
    this.indexes[this.indexes.length - 1] = next;
    return true;
  }

  gotoParent(): boolean {
    if (this.indexes.length === 0) return false;
    this.path.pop();
    this.indexes.pop();
    return true;
  }

  delete(): void {}
}

export class SimpleTree implements ShellTree {
  constructor(readonly rootNode: SimpleNode) {}

  delete(): void {}
}
