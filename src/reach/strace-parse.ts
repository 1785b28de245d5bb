/**
 * Reads the output of `strace -f -qq -y -s 4096 -e trace=%file,%process -o FILE`
 * (strace 6.1): one syscall per line, prefixed by the pid; `-y` annotates
 * every fd with its path (`AT_FDCWD</app>`, `= 3</usr/lib/libc.so.6>`), which
 * is how relative paths become absolute without replaying chdir. Strings use
 * C escapes (`\"`, `\n`, octal `\303`, hex `\x..`); a string cut at `-s` ends
 * with `...` and is not trusted as a path. A call interrupted by another
 * process's output is split into `<unfinished ...>` and `<... NAME resumed>`
 * lines, joined here by pid. `+++ exited +++` and `--- SIGNAL ---` lines carry
 * no file access and are skipped.
 */

export interface TraceEvent {
  pid: number;
  syscall: string;
  /**
   * Absolute paths the call named, resolved against its AT_FDCWD</cwd> or
   * dirfd</dir> annotation (else the pid's last known cwd); `..` is kept,
   * because only a walk of the image's tree can resolve it through symlinks.
   * For execve, the program path.
   */
  paths: string[];
  ok: boolean;
  /** ENOENT, … when the call failed. */
  errno?: string;
  /** The returned fd's `= 3</real/path>` annotation: the file actually opened, links resolved. */
  fdPath?: string;
  /** A path argument was cut at `-s` (`"…"...`) and left out of `paths`. */
  truncated?: boolean;
  /** The new process or thread of a successful clone/clone3/fork/vfork. */
  child?: number;
}

export interface ParsedStrace {
  events: TraceEvent[];
  /** Lines that are neither syscalls nor the known notices. */
  malformed: number;
}

export interface ParseStraceOptions {
  /** cwd of processes whose cwd was never seen (the container's working dir); default `/`. */
  cwd?: string;
}

/** Where a syscall's path arguments are: [path argument index, dirfd argument index or -1 for the cwd]. */
type PathArgs = ReadonlyArray<readonly [number, number]>;

const CWD_PATH: PathArgs = [[0, -1]];
const AT_PATH: PathArgs = [[1, 0]];

const PATH_ARGS: Record<string, PathArgs> = {
  open: CWD_PATH,
  creat: CWD_PATH,
  stat: CWD_PATH,
  stat64: CWD_PATH,
  lstat: CWD_PATH,
  lstat64: CWD_PATH,
  access: CWD_PATH,
  readlink: CWD_PATH,
  execve: CWD_PATH,
  chdir: CWD_PATH,
  chroot: CWD_PATH,
  mkdir: CWD_PATH,
  rmdir: CWD_PATH,
  unlink: CWD_PATH,
  truncate: CWD_PATH,
  truncate64: CWD_PATH,
  chmod: CWD_PATH,
  chown: CWD_PATH,
  lchown: CWD_PATH,
  statfs: CWD_PATH,
  statfs64: CWD_PATH,
  utime: CWD_PATH,
  utimes: CWD_PATH,
  mknod: CWD_PATH,
  getxattr: CWD_PATH,
  lgetxattr: CWD_PATH,
  setxattr: CWD_PATH,
  lsetxattr: CWD_PATH,
  listxattr: CWD_PATH,
  llistxattr: CWD_PATH,
  removexattr: CWD_PATH,
  lremovexattr: CWD_PATH,
  uselib: CWD_PATH,
  swapon: CWD_PATH,
  swapoff: CWD_PATH,
  acct: CWD_PATH,
  umount2: CWD_PATH,
  openat: AT_PATH,
  openat2: AT_PATH,
  newfstatat: AT_PATH,
  fstatat64: AT_PATH,
  statx: AT_PATH,
  faccessat: AT_PATH,
  faccessat2: AT_PATH,
  readlinkat: AT_PATH,
  execveat: AT_PATH,
  mkdirat: AT_PATH,
  mknodat: AT_PATH,
  unlinkat: AT_PATH,
  fchmodat: AT_PATH,
  fchmodat2: AT_PATH,
  fchownat: AT_PATH,
  utimensat: AT_PATH,
  futimesat: AT_PATH,
  name_to_handle_at: AT_PATH,
  inotify_add_watch: [[1, -1]],
  rename: [
    [0, -1],
    [1, -1],
  ],
  link: [
    [0, -1],
    [1, -1],
  ],
  // symlink's first argument is the link's content, not a path that is accessed.
  symlink: [[1, -1]],
  symlinkat: [[2, 1]],
  renameat: [
    [1, 0],
    [3, 2],
  ],
  renameat2: [
    [1, 0],
    [3, 2],
  ],
  linkat: [
    [1, 0],
    [3, 2],
  ],
  pivot_root: [
    [0, -1],
    [1, -1],
  ],
};

const FORKS = new Set(['clone', 'clone3', 'fork', 'vfork']);

/** One line, on its own (relative paths without an annotation are taken from `/`). */
export function parseStraceLine(line: string): TraceEvent | undefined {
  const split = splitLine(line);
  if (split?.kind !== 'call') return undefined;
  return toEvent(split.pid, split.body, new CwdTracker('/'));
}

export function parseStrace(text: string, options: ParseStraceOptions = {}): ParsedStrace {
  const events: TraceEvent[] = [];
  let malformed = 0;
  const cwds = new CwdTracker(options.cwd ?? '/');
  const unfinished = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const split = splitLine(line);
    if (!split) {
      malformed++;
      continue;
    }
    if (split.kind === 'notice') continue;
    let body: string;
    if (split.kind === 'unfinished') {
      unfinished.set(split.pid, split.body);
      if (FORKS.has(syscallName(split.body))) cwds.forking(split.pid);
      continue;
    }
    if (split.kind === 'resumed') {
      const start = unfinished.get(split.pid);
      unfinished.delete(split.pid);
      if (start === undefined || syscallName(start) !== split.syscall) {
        malformed++;
        continue;
      }
      body = start + split.body;
    } else {
      body = split.body;
    }
    const event = toEvent(split.pid, body, cwds);
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}

type SplitLine =
  | { kind: 'notice'; pid: number }
  | { kind: 'call' | 'unfinished'; pid: number; body: string }
  | { kind: 'resumed'; pid: number; syscall: string; body: string };

const UNFINISHED = ' <unfinished ...>';

function splitLine(line: string): SplitLine | undefined {
  const match = /^(?:(\d+)\s+)?(.*)$/.exec(line.replace(/\r$/, ''));
  if (!match) return undefined;
  const pid = match[1] === undefined ? 0 : Number(match[1]);
  const rest = match[2]!;
  if (rest.startsWith('+++ ') || rest.startsWith('--- ')) return { kind: 'notice', pid };
  const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
  if (resumed) return { kind: 'resumed', pid, syscall: resumed[1]!, body: resumed[2]! };
  if (!/^\w+\(/.test(rest)) return undefined;
  if (rest.endsWith(UNFINISHED)) return { kind: 'unfinished', pid, body: rest.slice(0, -UNFINISHED.length) };
  return { kind: 'call', pid, body: rest };
}

function syscallName(body: string): string {
  return /^\w+/.exec(body)?.[0] ?? '';
}

/** The cwd of each process as far as the trace shows it: annotations, chdir, getcwd, inherited on fork. */
class CwdTracker {
  private readonly byPid = new Map<number, string>();
  /** The last process seen starting a fork: a new pid's likely parent when its first line comes first. */
  private lastForker: number | undefined;

  constructor(private readonly initial: string) {}

  of(pid: number): string {
    let cwd = this.byPid.get(pid);
    if (cwd === undefined) {
      cwd = (this.lastForker === undefined ? undefined : this.byPid.get(this.lastForker)) ?? this.initial;
      this.byPid.set(pid, cwd);
    }
    return cwd;
  }

  set(pid: number, cwd: string): void {
    this.byPid.set(pid, cwd);
  }

  forking(pid: number): void {
    this.lastForker = pid;
  }

  forked(parent: number, child: number): void {
    if (!this.byPid.has(child)) this.byPid.set(child, this.of(parent));
  }
}

function toEvent(pid: number, body: string, cwds: CwdTracker): TraceEvent | undefined {
  const open = body.indexOf('(');
  const syscall = body.slice(0, open);
  const scanned = scanArgs(body, open + 1);
  if (!scanned) return undefined;
  const result = parseResult(body.slice(scanned.end));
  if (!result) return undefined;
  const args = scanned.args.map(parseArg);

  const event: TraceEvent = { pid, syscall, paths: [], ok: result.errno === undefined };
  if (result.errno !== undefined) event.errno = result.errno;
  if (result.fdPath !== undefined) event.fdPath = result.fdPath;

  // A dirfd of AT_FDCWD is annotated with the process's real cwd: the best fallback for later calls.
  for (const arg of args) {
    if (arg.fdcwd && arg.fdPath) cwds.set(pid, arg.fdPath);
  }
  const cwd = cwds.of(pid);

  for (const [pathIndex, dirIndex] of PATH_ARGS[syscall] ?? []) {
    const arg = args[pathIndex];
    const dir = dirIndex < 0 ? undefined : args[dirIndex];
    const base = dir?.fdPath ?? (dir === undefined || dir.fdcwd ? cwd : undefined);
    if (arg?.text === undefined) {
      // utimensat(fd, NULL, …) works on the fd itself.
      if (arg?.raw === 'NULL' && dir?.fdPath) event.paths.push(dir.fdPath);
      continue;
    }
    if (arg.truncated) {
      event.truncated = true;
      continue;
    }
    if (arg.text === '') {
      if (dir?.fdPath && args.some((a) => /\bAT_EMPTY_PATH\b/.test(a.raw))) event.paths.push(dir.fdPath);
      continue;
    }
    if (arg.text.startsWith('/')) event.paths.push(normalize(arg.text));
    else if (base !== undefined) event.paths.push(joinPath(base, arg.text));
  }

  if (event.ok) {
    if (syscall === 'chdir' && event.paths[0]) cwds.set(pid, event.paths[0]);
    if (syscall === 'fchdir' && args[0]?.fdPath) cwds.set(pid, args[0].fdPath);
    if (syscall === 'getcwd' && args[0]?.text?.startsWith('/')) {
      cwds.set(pid, args[0].text);
      event.paths.push(args[0].text);
    }
    if (FORKS.has(syscall) && result.value !== undefined && result.value > 0) {
      event.child = result.value;
      cwds.forked(pid, result.value);
    }
  }
  if (FORKS.has(syscall)) cwds.forking(pid);
  return event;
}

interface Arg {
  raw: string;
  /** Decoded value of a string argument. */
  text?: string;
  truncated?: boolean;
  /** Path of an fd annotation `N</path>` / `AT_FDCWD</path>` (only paths, not pipe:[…] and the like). */
  fdPath?: string;
  fdcwd?: boolean;
}

function parseArg(raw: string): Arg {
  const arg: Arg = { raw };
  if (raw.startsWith('"')) {
    const decoded = decodeQuoted(raw, 1, '"');
    if (decoded) {
      arg.text = decoded.text;
      if (raw.slice(decoded.end + 1).startsWith('...')) arg.truncated = true;
    }
    return arg;
  }
  const fd = /^(AT_FDCWD|-?\d+)</.exec(raw);
  if (fd) {
    arg.fdcwd = fd[1] === 'AT_FDCWD';
    const decoded = decodeQuoted(raw, fd[0].length, '>');
    if (decoded) {
      const path = annotationPath(decoded.text);
      if (path !== undefined) arg.fdPath = path;
    }
  }
  return arg;
}

/** `/x (deleted)` is still the path; `pipe:[…]`, `socket:[…]`, `anon_inode:…` are not files. */
function annotationPath(text: string): string | undefined {
  if (!text.startsWith('/')) return undefined;
  return text.replace(/ \(deleted\)$/, '');
}

interface ScannedArgs {
  args: string[];
  /** Index just after the closing parenthesis. */
  end: number;
}

/** Splits the top-level arguments, skipping over strings, annotations and nested brackets. */
function scanArgs(body: string, from: number): ScannedArgs | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') {
      const decoded = decodeQuoted(body, i + 1, '"');
      if (!decoded) return undefined;
      i = decoded.end;
    } else if (c === '<' && i > 0 && /\w/.test(body[i - 1]!)) {
      const decoded = decodeQuoted(body, i + 1, '>');
      if (!decoded) return undefined;
      i = decoded.end;
    } else if (c === '/' && body[i + 1] === '*') {
      const close = body.indexOf('*/', i + 2);
      if (close < 0) return undefined;
      i = close + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ')') {
      if (depth === 0) {
        const last = body.slice(start, i).trim();
        if (last !== '' || args.length > 0) args.push(last);
        return { args, end: i + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  return undefined;
}

interface Decoded {
  text: string;
  /** Index of the terminator. */
  end: number;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8 };

/**
 * Decodes strace's C-style escaping up to an unescaped terminator; bytes are
 * collected and read as UTF-8, since strace escapes each byte of a multibyte
 * name. Inside an fd annotation a nested `<…>` (as -yy prints) is kept whole.
 */
function decodeQuoted(text: string, from: number, terminator: '"' | '>'): Decoded | undefined {
  const bytes: number[] = [];
  let nested = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) return undefined;
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
      if (octal) {
        bytes.push(Number.parseInt(octal[0], 8) & 0xff);
        i += octal[0].length;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      bytes.push(...Buffer.from(simple === undefined ? next : String.fromCharCode(simple), 'utf8'));
      i++;
      continue;
    }
    if (terminator === '>' && c === '<') nested++;
    if (c === terminator) {
      if (nested === 0) return { text: Buffer.from(bytes).toString('utf8'), end: i };
      nested--;
    }
    bytes.push(...Buffer.from(c, 'utf8'));
  }
  return undefined;
}

interface Result {
  value?: number;
  errno?: string;
  fdPath?: string;
}

/** ` = 3</path>`, ` = -1 ENOENT (No such file or directory)`, ` = ?`, ` = 0x7f…`. */
function parseResult(text: string): Result | undefined {
  const match = /^\s*=\s*(\?|-?\d+|0x[0-9a-fA-F]+)/.exec(text);
  if (!match) return undefined;
  const result: Result = {};
  if (/^-?\d+$/.test(match[1]!)) result.value = Number(match[1]);
  let rest = text.slice(match[0].length);
  if (rest.startsWith('<')) {
    const decoded = decodeQuoted(rest, 1, '>');
    if (!decoded) return undefined;
    const path = annotationPath(decoded.text);
    if (path !== undefined) result.fdPath = path;
    rest = rest.slice(decoded.end + 1);
  }
  const errno = /^\s+(E[A-Z0-9]+)\b/.exec(rest);
  if (errno) result.errno = errno[1]!;
  return result;
}

/** Collapses `//` and `/./`; keeps `..`, which only a walk of the tree resolves correctly. */
function normalize(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return `/${parts.join('/')}`;
}

function joinPath(base: string, relative: string): string {
  return normalize(`${base}/${relative}`);
}
