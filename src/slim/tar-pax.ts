/**
 * Extended attributes in slim's output tars. tar-stream writes pax records as
 * UTF-8 strings, which cannot hold binary values such as `security.capability`
 * (file capabilities), so an entry with xattrs gets a pax header written here,
 * byte for byte, as GNU tar and Go's archive/tar write them: `SCHILY.xattr.NAME`
 * records, plus `path`, `linkpath`, `uid`, `gid` when the ustar header cannot
 * hold them. The ustar header that follows is then made to fit, so tar-stream
 * adds no second pax header (readers keep only the last one).
 */
import type tarStream from 'tar-stream';

const BLOCK = 512;
const MAX_USTAR_NAME = 100;
const MAX_USTAR_ID = 0o777777;
const XATTR_PREFIX = 'SCHILY.xattr.';

/** One record: `LEN key=value\n`, where LEN counts its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length), 'latin1'), body]);
}

function fitsUstar(text: string): boolean {
  return text.length <= MAX_USTAR_NAME && /^[\x20-\x7e]*$/.test(text);
}

/** An ASCII stand-in of at most 100 bytes for a name carried by a pax record (for readers without pax). */
function standIn(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(-MAX_USTAR_NAME);
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'latin1');
}

/** The ustar header block of a pax extended header ('x') of `size` bytes. */
function paxHeaderBlock(size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write('PaxHeader', 0, 'latin1');
  octal(block, 100, 8, 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, Math.max(0, Math.min(mtime, 0o77777777777)));
  block[156] = 0x78; // 'x'
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/**
 * When `xattrs` has entries: returns the bytes of a pax header for `header`
 * (to be pushed into the pack just before the entry) and rewrites `header` so
 * tar-stream writes it as plain ustar. Otherwise returns undefined and leaves
 * `header` alone.
 */
export function xattrPaxHeader(
  header: tarStream.Header,
  xattrs: Readonly<Record<string, Buffer>> | undefined,
): Buffer | undefined {
  if (!xattrs) return undefined;
  const names = Object.keys(xattrs).sort();
  if (names.length === 0) return undefined;
  const records: Buffer[] = [];
  if (!fitsUstar(header.name)) {
    records.push(paxRecord('path', Buffer.from(header.name, 'utf8')));
    header.name = standIn(header.name);
  }
  if (header.linkname && !fitsUstar(header.linkname)) {
    records.push(paxRecord('linkpath', Buffer.from(header.linkname, 'utf8')));
    header.linkname = standIn(header.linkname);
  }
  for (const key of ['uid', 'gid'] as const) {
    const id = header[key] ?? 0;
    if (id > MAX_USTAR_ID) {
      records.push(paxRecord(key, Buffer.from(String(id), 'latin1')));
      header[key] = MAX_USTAR_ID;
    }
  }
  for (const name of names) records.push(paxRecord(`${XATTR_PREFIX}${name}`, xattrs[name]!));
  delete header.pax;
  const body = Buffer.concat(records);
  const mtime = header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0;
  const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
  return Buffer.concat([paxHeaderBlock(body.length, mtime), body, Buffer.alloc(pad)]);
}
