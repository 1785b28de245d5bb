/**
 * Names inside layer tars: byte-exact decoding and root-relative normalisation.
 *
 * Tar names are bytes. Valid UTF-8 (nearly every real name) decodes to the
 * string a user would expect; each byte that is not part of a valid UTF-8
 * sequence becomes a lone surrogate U+DC80..U+DCFF ("surrogateescape", as
 * Python does for file names). Valid UTF-8 never decodes to a lone surrogate,
 * so two different byte names never yield the same string, and
 * `encodeTarName` gives back the exact original bytes (for writing new tars).
 * Latin-1 decoding would also be lossless but would garble every UTF-8 name.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ESCAPE_BASE = 0xdc00;

export function decodeTarName(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  // Decoding straight from the Buffer avoids allocating a view per name (this runs for every entry).
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ascii) return buffer.toString('latin1', start, end);
  const view = buffer.subarray(start, end);
  try {
    return strictUtf8.decode(view);
  } catch {
    return decodeWithEscapes(view);
  }
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  const cont = (k: number, low = 0x80, high = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf; // excludes encoded surrogates
    return cont(1, low, high) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, low, high) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function decodeWithEscapes(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(ESCAPE_BASE + bytes[i]!);
      i++;
    } else {
      out += bytes.toString('utf8', i, i + length);
      i += length;
    }
  }
  return out;
}

const ESCAPED = /[\udc80-\udcff]/;

/** The exact bytes a name decoded by `decodeTarName` came from. */
export function encodeTarName(name: string): Buffer {
  if (!ESCAPED.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xdc80 && code <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(code - ESCAPE_BASE));
    } else {
      run += char;
    }
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/**
 * Components a path in a layer may have. Real images stay under 50 (Linux's
 * PATH_MAX of 4096 bytes allows about 2,000). Every directory on a path is a
 * node pare keeps and an entry slim writes with its full path, so a 60 kB
 * layer holding one 30,000-level path would make pare write gigabytes.
 */
export const MAX_PATH_DEPTH = 256;

/** Components of a normalised path (`a/b/c` has 3), counted only as far as needed. */
export function exceedsPathDepth(path: string): boolean {
  // A path of n components has at least 2n - 1 characters: short paths need no count.
  if (path.length < 2 * MAX_PATH_DEPTH + 1) return false;
  let components = 1;
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (++components > MAX_PATH_DEPTH) return true;
  }
  return false;
}

const NEEDS_CLEANING = /^\/|\/\/|(?:^|\/)\.\.?(?:\/|$)|\/$/;

/**
 * Cleans an entry name the way Docker applies a layer: a leading `/` is the
 * image root (so `/../x` is `x`, like Go's filepath.Clean), `.` and empty
 * components go, `..` pops a component. Returns undefined when a relative name
 * climbs out of the root (`../x`, `a/../../x`), which Docker refuses
 * ("breakout"). Returns '' for the root itself.
 */
export function normaliseEntryPath(name: string): string | undefined {
  if (!NEEDS_CLEANING.test(name)) return name;
  // Directories end in `/`: the common case, worth a shortcut.
  if (name.charCodeAt(name.length - 1) === 0x2f) {
    const trimmed = name.slice(0, -1);
    if (!NEEDS_CLEANING.test(trimmed)) return trimmed;
  }
  return cleanComponents(name, name.startsWith('/'));
}

/**
 * Cleans a hard link target. Docker joins it onto the extraction root without
 * cleaning it first, so a leading `/` is not a root there: `/../x` escapes.
 */
export function normaliseLinkTarget(name: string): string | undefined {
  if (!NEEDS_CLEANING.test(name)) return name;
  return cleanComponents(name, false);
}

function cleanComponents(name: string, clampAtRoot: boolean): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0) parts.pop();
      else if (!clampAtRoot) return undefined;
      continue;
    }
    parts.push(part);
  }
  return parts.join('/');
}
