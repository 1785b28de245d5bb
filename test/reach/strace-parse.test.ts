import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStrace, parseStraceLine, type TraceEvent } from '../../src/reach/strace-parse.js';

/**
 * Fixtures are real traces of `strace -f -qq -y -s 4096 -e trace=%file,%process`
 * (strace 6.1 from Debian 12) run inside the pare-base bookworm images:
 * python-sqlite: python3 -c 'import sqlite3'; node-http: node -e "require('http')";
 * ls-nonexistent: ls /nonexistent; shell-pipes: sh -c with cd, a pipeline, a
 * background subshell and redirections; tricky: -w /tmp, file names with quotes,
 * angle brackets, a newline and UTF-8, symlink/rename/link/unlink and a relative exec.
 */
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/strace/${name}.trace`, import.meta.url), 'utf8');

describe('parseStraceLine', () => {
  const cases: Array<{ name: string; line: string; event: TraceEvent | undefined }> = [
    {
      name: 'openat with an fd annotation on the result',
      line: '9     openat(AT_FDCWD</>, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libc.so.6>',
      event: {
        pid: 9,
        syscall: 'openat',
        paths: ['/lib/x86_64-linux-gnu/libc.so.6'],
        ok: true,
        fdPath: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      },
    },
    {
      name: 'a failed call keeps its errno',
      line: '9     access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)',
      event: { pid: 9, syscall: 'access', paths: ['/etc/ld.so.preload'], ok: false, errno: 'ENOENT' },
    },
    {
      name: 'a relative path against the AT_FDCWD annotation',
      line: '10    openat(AT_FDCWD</etc>, "os-release", O_RDONLY) = 3</usr/lib/os-release>',
      event: {
        pid: 10,
        syscall: 'openat',
        paths: ['/etc/os-release'],
        ok: true,
        fdPath: '/usr/lib/os-release',
      },
    },
    {
      name: 'a relative path against a directory fd',
      line: '7 openat(3</usr/lib/python3.11>, "../os.py", O_RDONLY) = 4</usr/lib/os.py>',
      event: {
        pid: 7,
        syscall: 'openat',
        paths: ['/usr/lib/python3.11/../os.py'],
        ok: true,
        fdPath: '/usr/lib/os.py',
      },
    },
    {
      name: 'AT_EMPTY_PATH: the fd is the file',
      line: '9     newfstatat(3</etc/ld.so.cache>, "", {st_mode=S_IFREG|0644, st_size=4523, ...}, AT_EMPTY_PATH) = 0',
      event: { pid: 9, syscall: 'newfstatat', paths: ['/etc/ld.so.cache'], ok: true },
    },
    {
      name: 'AT_EMPTY_PATH on a pipe names no file',
      line: '10    newfstatat(1<pipe:[932448]>, "", {st_mode=S_IFIFO|0600, st_size=0, ...}, AT_EMPTY_PATH) = 0',
      event: { pid: 10, syscall: 'newfstatat', paths: [], ok: true },
    },
    {
      name: 'execve: the program path, not argv (which holds quotes and parentheses)',
      line: '9     execve("/usr/bin/python3", ["python3", "-c", "import sqlite3; print(\\"ok\\")"], 0x7ffe7e15bd60 /* 5 vars */) = 0',
      event: { pid: 9, syscall: 'execve', paths: ['/usr/bin/python3'], ok: true },
    },
    {
      name: 'readlink: the link, not the buffer it fills',
      line: '9     readlink("/usr/bin/python3", "python3.11", 4096) = 10',
      event: { pid: 9, syscall: 'readlink', paths: ['/usr/bin/python3'], ok: true },
    },
    {
      name: 'statx with flags after the path',
      line: '9     statx(AT_FDCWD</>, "/nonexistent", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, STATX_MODE, 0x7ffecb8b0650) = -1 ENOENT (No such file or directory)',
      event: { pid: 9, syscall: 'statx', paths: ['/nonexistent'], ok: false, errno: 'ENOENT' },
    },
    {
      name: 'octal escapes are bytes of UTF-8; \\74 and \\76 escape angle brackets in annotations',
      line: '10    openat(AT_FDCWD</tmp/d>, "a b\\"c<d>e\\nf", O_WRONLY|O_CREAT, 0666) = 3</tmp/d/a b\\"c\\74d\\76e\\nf>',
      event: {
        pid: 10,
        syscall: 'openat',
        paths: ['/tmp/d/a b"c<d>e\nf'],
        ok: true,
        fdPath: '/tmp/d/a b"c<d>e\nf',
      },
    },
    {
      name: 'hex escapes (strace -x style) and UTF-8 from octal',
      line: '4 openat(AT_FDCWD</>, "/srv/\\x63af\\303\\251", O_RDONLY) = 3</srv/caf\\303\\251>',
      event: { pid: 4, syscall: 'openat', paths: ['/srv/café'], ok: true, fdPath: '/srv/café' },
    },
    {
      name: 'an annotation with parentheses and a deleted file',
      line: '4 newfstatat(5</tmp/x (1) (deleted)>, "", {st_mode=S_IFREG|0600, st_size=0, ...}, AT_EMPTY_PATH) = 0',
      event: { pid: 4, syscall: 'newfstatat', paths: ['/tmp/x (1)'], ok: true },
    },
    {
      name: 'a string cut at -s is not trusted',
      line: '4 openat(AT_FDCWD</>, "/very/long/pa"..., O_RDONLY) = -1 ENAMETOOLONG (File name too long)',
      event: { pid: 4, syscall: 'openat', paths: [], ok: false, errno: 'ENAMETOOLONG', truncated: true },
    },
    {
      name: 'renameat2: both paths',
      line: '12    renameat2(AT_FDCWD</tmp/d>, "lnk", AT_FDCWD</tmp/d>, "lnk2", RENAME_NOREPLACE) = 0',
      event: { pid: 12, syscall: 'renameat2', paths: ['/tmp/d/lnk', '/tmp/d/lnk2'], ok: true },
    },
    {
      name: 'symlinkat: the new link, not the target text',
      line: '11    symlinkat("\\303\\251", AT_FDCWD</tmp/d>, "lnk") = 0',
      event: { pid: 11, syscall: 'symlinkat', paths: ['/tmp/d/lnk'], ok: true },
    },
    {
      name: 'utimensat on an fd (NULL path)',
      line: '10    utimensat(0</tmp/d/\\303\\251>, NULL, NULL, 0) = 0',
      event: { pid: 10, syscall: 'utimensat', paths: ['/tmp/d/é'], ok: true },
    },
    {
      name: 'getcwd: the directory it returns',
      line: '8     getcwd("/tmp", 4096)              = 5',
      event: { pid: 8, syscall: 'getcwd', paths: ['/tmp'], ok: true },
    },
    {
      name: 'clone: the child pid',
      line: '9     clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fef630fea10) = 10',
      event: { pid: 9, syscall: 'clone', paths: [], ok: true, child: 10 },
    },
    {
      name: 'exit_group returns ?',
      line: '9     exit_group(2)                     = ?',
      event: { pid: 9, syscall: 'exit_group', paths: [], ok: true },
    },
    {
      name: 'an interrupted call',
      line: '9 wait4(-1, 0x7ffd, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)',
      event: { pid: 9, syscall: 'wait4', paths: [], ok: false, errno: 'ERESTARTSYS' },
    },
    {
      name: 'without a pid column (strace without -f)',
      line: 'open("/etc/passwd", O_RDONLY) = 3</etc/passwd>',
      event: { pid: 0, syscall: 'open', paths: ['/etc/passwd'], ok: true, fdPath: '/etc/passwd' },
    },
    { name: 'an exit notice', line: '9     +++ exited with 0 +++', event: undefined },
    {
      name: 'a signal notice',
      line: '9     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=10, si_uid=0, si_status=0} ---',
      event: undefined,
    },
    { name: 'an unfinished call alone', line: '9     wait4(-1,  <unfinished ...>', event: undefined },
    { name: 'a resumed call alone', line: '9     <... wait4 resumed>, 0, NULL) = 10', event: undefined },
    { name: 'not strace output', line: 'Traceback (most recent call last):', event: undefined },
    { name: 'a call without its end', line: '9 openat(AT_FDCWD</>, "/etc/x", O_RDONLY', event: undefined },
  ];

  it.each(cases)('$name', ({ line, event }) => {
    expect(parseStraceLine(line)).toEqual(event);
  });
});

describe('parseStrace', () => {
  it('joins unfinished/resumed pairs by pid, across interleaved processes', () => {
    const text = [
      '9     newfstatat(AT_FDCWD</etc>, "/usr/sbin/grep",  <unfinished ...>',
      '10    execve("/usr/bin/cat", ["cat", "os-release"], 0x558d4d1a59d0 /* 5 vars */ <unfinished ...>',
      '9     <... newfstatat resumed>0x7ffd9fac5580, 0) = -1 ENOENT (No such file or directory)',
      '10    <... execve resumed>)             = 0',
      '10    openat(AT_FDCWD</etc>, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC <unfinished ...>',
      '11    openat(AT_FDCWD</etc>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC <unfinished ...>',
      '10    <... openat resumed>)             = 3</usr/lib/x86_64-linux-gnu/libc.so.6>',
      '11    <... openat resumed>)             = 3</etc/ld.so.cache>',
      '',
    ].join('\n');
    expect(parseStrace(text)).toEqual({
      events: [
        { pid: 9, syscall: 'newfstatat', paths: ['/usr/sbin/grep'], ok: false, errno: 'ENOENT' },
        { pid: 10, syscall: 'execve', paths: ['/usr/bin/cat'], ok: true },
        {
          pid: 10,
          syscall: 'openat',
          paths: ['/lib/x86_64-linux-gnu/libc.so.6'],
          ok: true,
          fdPath: '/usr/lib/x86_64-linux-gnu/libc.so.6',
        },
        { pid: 11, syscall: 'openat', paths: ['/etc/ld.so.cache'], ok: true, fdPath: '/etc/ld.so.cache' },
      ],
      malformed: 0,
    });
  });

  it('counts a resumed line without its start, or of another call, as malformed', () => {
    const text = [
      '5 <... openat resumed>) = 3</x>',
      '6 stat("/a",  <unfinished ...>',
      '6 <... lstat resumed>0x1) = 0',
    ];
    expect(parseStrace(text.join('\n'))).toEqual({ events: [], malformed: 2 });
  });

  it('keeps each process cwd from chdir, getcwd and annotations, and hands it to forked children', () => {
    const text = [
      '1 getcwd("/srv", 4096) = 5',
      '1 mkdir("data", 0777) = 0',
      '1 chdir("data") = 0',
      '1 clone(child_stack=NULL, flags=SIGCHLD) = 2',
      '2 execve("./run", ["./run"], 0x1 /* 1 var */) = 0',
      '1 vfork( <unfinished ...>',
      '3 stat("x", 0x7ffd) = -1 ENOENT (No such file or directory)',
      '1 <... vfork resumed>) = 3',
      '4 open("nowhere-known", O_RDONLY) = -1 ENOENT (No such file or directory)',
    ].join('\n');
    const { events, malformed } = parseStrace(text, { cwd: '/app' });
    expect(malformed).toBe(0);
    expect(events.map((e) => [e.pid, e.syscall, e.paths])).toEqual([
      [1, 'getcwd', ['/srv']],
      [1, 'mkdir', ['/srv/data']],
      [1, 'chdir', ['/srv/data']],
      [1, 'clone', []],
      [2, 'execve', ['/srv/data/run']],
      // The child's first line came before the parent's vfork returned: the forking parent's cwd.
      [3, 'stat', ['/srv/data/x']],
      [1, 'vfork', []],
      [4, 'open', ['/srv/data/nowhere-known']],
    ]);
  });

  const fixtures: Array<{ name: string; check: (events: TraceEvent[]) => void }> = [
    {
      name: 'ls-nonexistent',
      check: (events) => {
        expect(events[0]).toEqual({ pid: 9, syscall: 'execve', paths: ['/usr/bin/ls'], ok: true });
        expect(events.filter((e) => e.errno === 'ENOENT').flatMap((e) => e.paths)).toEqual([
          '/etc/ld.so.preload',
          '/sys/fs/selinux',
          '/selinux',
          '/etc/selinux/config',
          '/nonexistent',
          '/nonexistent',
        ]);
        expect(events.filter((e) => e.fdPath).map((e) => e.fdPath)).toEqual([
          '/etc/ld.so.cache',
          '/usr/lib/x86_64-linux-gnu/libselinux.so.1',
          '/usr/lib/x86_64-linux-gnu/libc.so.6',
          '/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0.11.2',
          '/proc/filesystems',
        ]);
      },
    },
    {
      name: 'python-sqlite',
      check: (events) => {
        const opened = events.filter((e) => e.syscall === 'openat' && e.ok).map((e) => e.fdPath);
        expect(opened).toContain('/usr/lib/python3.11/lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so');
        expect(opened).toContain('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6');
        expect(events.find((e) => e.syscall === 'readlink')?.paths).toEqual(['/usr/bin/python3']);
      },
    },
    {
      name: 'node-http',
      check: (events) => {
        // Node's RUNPATH is $ORIGIN/../lib: ld.so opens /usr/bin/../lib/… literally.
        expect(events.some((e) => e.paths.includes('/usr/bin/../lib/tls/libnode.so.108'))).toBe(true);
        const threads = events
          .filter((e) => e.syscall === 'clone' && e.child !== undefined)
          .map((e) => e.child);
        expect(threads.length).toBeGreaterThan(3);
        expect(
          events.some(
            (e) => e.fdPath?.startsWith('/usr/share/nodejs/') || e.fdPath?.endsWith('libnode.so.108'),
          ),
        ).toBe(true);
      },
    },
    {
      name: 'shell-pipes',
      check: (events) => {
        const execs = events.filter((e) => e.syscall === 'execve').map((e) => [e.pid, e.paths[0]]);
        expect(execs).toEqual([
          [9, '/usr/bin/sh'],
          [10, '/usr/bin/cat'],
          [11, '/usr/bin/grep'],
          [12, '/usr/bin/wc'],
          [14, '/usr/bin/sleep'],
          [15, '/usr/bin/ls'],
        ]);
        expect(events.find((e) => e.paths[0] === '/etc/os-release')?.fdPath).toBe('/usr/lib/os-release');
        expect(events.find((e) => e.syscall === 'readlink')?.paths).toEqual(['/proc/self/exe']);
      },
    },
    {
      name: 'tricky',
      check: (events) => {
        const byCall = (syscall: string) => events.filter((e) => e.syscall === syscall).map((e) => e.paths);
        expect(byCall('mkdir')).toEqual([['/tmp/d']]);
        expect(byCall('chdir')).toEqual([['/tmp/d']]);
        expect(byCall('symlinkat')).toEqual([['/tmp/d/lnk']]);
        expect(byCall('renameat2')).toEqual([['/tmp/d/lnk', '/tmp/d/lnk2']]);
        expect(byCall('linkat')).toEqual([['/tmp/d/lnk2', '/tmp/d/hard']]);
        expect(byCall('unlinkat')).toEqual([['/tmp/d/hard']]);
        expect(byCall('utimensat')).toEqual([['/tmp/d/a b"c<d>e\nf'], ['/tmp/d/é']]);
        // `exec ../../bin/true` after `cd d`: no annotation on execve, the tracked cwd is used.
        expect(byCall('execve').at(-1)).toEqual(['/tmp/d/../../bin/true']);
        expect(events.find((e) => e.paths[0] === '/tmp/d/lnk2' && e.syscall === 'openat')?.fdPath).toBe(
          '/tmp/d/é',
        );
      },
    },
  ];

  it.each(fixtures)('reads the real $name trace', ({ name, check }) => {
    const text = fixture(name);
    const { events, malformed } = parseStrace(text);
    expect(malformed).toBe(0);
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const notices = lines.filter((line) => /^\d+\s+(\+\+\+|---) /.test(line)).length;
    const resumed = lines.filter((line) => /^\d+\s+<\.\.\. \w+ resumed>/.test(line)).length;
    // Every line is an event or a notice, except that a joined pair is two lines for one event.
    expect(events.length + notices + resumed).toBe(lines.length);
    for (const event of events) {
      for (const path of event.paths) expect(path.startsWith('/')).toBe(true);
      if (event.fdPath) expect(event.fdPath.startsWith('/')).toBe(true);
    }
    check(events);
  });
});
