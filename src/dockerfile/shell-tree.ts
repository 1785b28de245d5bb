/**
 * The part of a syntax tree the shell walk reads. web-tree-sitter's Node and
 * TreeCursor have it, and so do the fast path's nodes (simple-shell.ts), so
 * the walk runs unchanged on either.
 */
export interface ShellNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly hasError: boolean;
  readonly childCount: number;
  readonly children: ReadonlyArray<ShellNode | null>;
  readonly namedChildren: ReadonlyArray<ShellNode | null>;
  child(index: number): ShellNode | null;
  childForFieldName(fieldName: string): ShellNode | null;
  fieldNameForChild(index: number): string | null;
  walk(): ShellCursor;
}

export interface ShellCursor {
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly currentNode: ShellNode;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  delete(): void;
}

export interface ShellTree {
  readonly rootNode: ShellNode;
  delete(): void;
}
