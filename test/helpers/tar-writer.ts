/**
 * Hand-written tar blocks for fixtures, including the odd and hostile ones no
 * library writes on purpose: GNU long names/links, whiteouts with a stray link
 * name (Docker 20.10), base-256 and enormous size fields, bad checksums,
 * non-UTF-8 names, `../` paths.
 */

export const BLOCK = 512;

export type TarFormat = 'ustar' | 'gnu' | 'v7';

export interface HeaderFields {
  /** Name bytes as written in the header (strings are UTF-8 encoded). */
  name: string | Buffer;
  /** Type flag character: '0' file, '1' hard link, '2' symlink, '5' directory, 'x' pax, 'L', … */
  type?: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string | Buffer;
  /** ustar prefix field (POSIX format only). */
  prefix?: string | Buffer;
  format?: TarFormat;
  /** Raw 12 bytes for the size field, to write base-256 or garbage. */
  sizeField?: Buffer;
  /** Write a wrong checksum. */
  badChecksum?: boolean;
  /** Old GNU sparse: real size field and isextended flag. */
  sparseRealSize?: number;
  sparseExtended?: boolean;
  /** Char/block device numbers (ustar and GNU formats). */
  devmajor?: number;
  devminor?: number;
}

function bytesOf(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new Error(`value ${value} does not fit a ${length}-byte octal field`);
  block.write(`${text}\0`, offset, 'latin1');
}

/** Big values go to base-256 like GNU tar and Go do. */
function writeNumber(block: Buffer, offset: number, length: number, value: number): void {
  if (value < 8 ** (length - 1)) {
    writeOctal(block, offset, length, value);
    return;
  }
  block[offset] = 0x80;
  let rest = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

export function tarHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = bytesOf(fields.name);
  if (name.length > 100) throw new Error(`name longer than 100 bytes: use a pax or GNU long name`);
  name.copy(block, 0);
  writeOctal(block, 100, 8, fields.mode ?? 0o644);
  writeOctal(block, 108, 8, fields.uid ?? 0);
  writeOctal(block, 116, 8, fields.gid ?? 0);
  if (fields.sizeField) fields.sizeField.copy(block, 124, 0, 12);
  else writeNumber(block, 124, 12, fields.size ?? 0);
  writeNumber(block, 136, 12, fields.mtime ?? 1_700_000_000);
  block.write(fields.type ?? '0', 156, 'latin1');
  if (fields.linkname !== undefined) bytesOf(fields.linkname).copy(block, 157, 0, 100);
  const format = fields.format ?? 'ustar';
  if (format === 'ustar') {
    block.write('ustar\x0000', 257, 'latin1');
    if (fields.prefix !== undefined) bytesOf(fields.prefix).copy(block, 345, 0, 155);
  } else if (format === 'gnu') {
    block.write('ustar  \x00', 257, 'latin1');
    if (fields.sparseExtended) block[482] = 1;
    if (fields.sparseRealSize !== undefined) writeNumber(block, 483, 12, fields.sparseRealSize);
  }
  block.write('root', 265, 'latin1');
  block.write('root', 297, 'latin1');
  if (format !== 'v7' && fields.devmajor !== undefined) writeOctal(block, 329, 8, fields.devmajor);
  if (format !== 'v7' && fields.devminor !== undefined) writeOctal(block, 337, 8, fields.devminor);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (fields.badChecksum) sum += 1;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

export function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** One pax record: `LEN key=value\n`, where LEN counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

export function paxHeader(records: Record<string, string | Buffer>, global = false): Buffer {
  const data = Buffer.concat(Object.entries(records).map(([key, value]) => paxRecord(key, bytesOf(value))));
  const header = tarHeader({
    name: global ? 'pax_global_header' : 'PaxHeaders/entry',
    type: global ? 'g' : 'x',
    size: data.length,
  });
  return Buffer.concat([header, padded(data)]);
}

export function gnuLongHeader(kind: 'L' | 'K', value: string | Buffer): Buffer {
  const data = Buffer.concat([bytesOf(value), Buffer.alloc(1)]);
  const header = tarHeader({ name: '././@LongLink', type: kind, size: data.length, format: 'gnu' });
  return Buffer.concat([header, padded(data)]);
}

export function endOfArchive(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}

export type LongNameStyle = 'auto' | 'pax' | 'gnu';

export interface SimpleEntry {
  name: string | Buffer;
  type?: string;
  data?: Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string | Buffer;
  longNames?: LongNameStyle;
  /** Extra pax records for this entry. */
  pax?: Record<string, string | Buffer>;
  devmajor?: number;
  devminor?: number;
}

/** Splits a long name into ustar prefix/name at a `/`, or undefined when it cannot be split. */
function ustarSplit(name: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  for (let i = Math.min(name.length - 1, 155); i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
    }
  }
  return undefined;
}

/** Header(s) + data + padding for one entry, with long names written as asked. */
export function tarEntry(entry: SimpleEntry): Buffer {
  const name = bytesOf(entry.name);
  const linkname = entry.linkname === undefined ? undefined : bytesOf(entry.linkname);
  const data = entry.data ?? Buffer.alloc(0);
  const style = entry.longNames ?? 'auto';
  const parts: Buffer[] = [];
  const pax: Record<string, string | Buffer> = { ...entry.pax };
  let headerName: Buffer = name;
  let prefix: Buffer | undefined;
  let headerLink = linkname;
  let format: TarFormat = 'ustar';
  if (name.length > 100) {
    const split = style === 'auto' ? ustarSplit(name) : undefined;
    if (split) {
      headerName = split.name;
      prefix = split.prefix;
    } else if (style === 'gnu') {
      parts.push(gnuLongHeader('L', name));
      headerName = name.subarray(0, 100);
      format = 'gnu';
    } else {
      pax.path = name;
      headerName = name.subarray(0, 100);
    }
  }
  if (linkname && linkname.length > 100) {
    if (style === 'gnu') {
      parts.push(gnuLongHeader('K', linkname));
      format = 'gnu';
    } else {
      pax.linkpath = linkname;
    }
    headerLink = linkname.subarray(0, 100);
  }
  if (Object.keys(pax).length > 0) parts.unshift(paxHeader(pax));
  parts.push(
    tarHeader({
      name: headerName,
      type: entry.type ?? '0',
      size: data.length,
      mode: entry.mode ?? (entry.type === '5' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: entry.mtime ?? 1_700_000_000,
      format,
      ...(headerLink !== undefined ? { linkname: headerLink } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(entry.devmajor !== undefined ? { devmajor: entry.devmajor } : {}),
      ...(entry.devminor !== undefined ? { devminor: entry.devminor } : {}),
    }),
  );
  parts.push(padded(data));
  return Buffer.concat(parts);
}

/** A complete tar of simple entries, with the end-of-archive blocks. */
export function tarOf(entries: SimpleEntry[], options: { endMarker?: boolean } = {}): Buffer {
  const parts = entries.map(tarEntry);
  if (options.endMarker !== false) parts.push(endOfArchive());
  return Buffer.concat(parts);
}
