/**
 * The counts a merged file tree reports, per layer and for the final
 * filesystem. Types only, apart from the tree, so that the tree and the
 * efficiency tally can both name them without importing each other.
 */

export interface ChangeTally {
  files: number;
  bytes: number;
}

export interface LayerTally {
  index: number;
  /** Tar entries read, whiteouts included. */
  entries: number;
  /** Sum of entry sizes: the layer's content as dive counts it. */
  contentBytes: number;
  /** Non-directory entries at paths absent below this layer. */
  added: ChangeTally;
  /** Non-directory entries replacing something present below (or earlier in this layer). */
  modified: ChangeTally;
  /** Non-directory paths from lower layers this layer deleted (whiteouts, opaque dirs, type changes); bytes freed. */
  removed: ChangeTally;
  /** Bytes this layer wrote that the final filesystem does not contain (pare's waste, by culprit). */
  wastedBytes: number;
}

export interface TreeSummary {
  /** Bytes of the final filesystem, each hard-linked inode once. */
  bytes: number;
  files: number;
  directories: number;
  symlinks: number;
  others: number;
}
