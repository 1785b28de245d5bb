import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultLibraryDirs, libcOfInterpreter, parseLdSoConf } from '../../src/reach/ld-search.js';

/** An in-memory /etc: file texts by absolute path; directories are implied by them. */
function fsOf(files: Record<string, string>) {
  const readFile = (path: string) => files[path];
  const listDir = (dir: string) => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = Object.keys(files)
      .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
      .map((path) => path.slice(prefix.length));
    return names.length > 0 ? names : undefined;
  };
  return { readFile, listDir };
}

describe('parseLdSoConf', () => {
  const cases: Array<{ name: string; files: Record<string, string>; expected: string[] }> = [
    {
      name: "Debian 12's configuration: include glob, files sorted, comments",
      files: {
        '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n\n',
        '/etc/ld.so.conf.d/x86_64-linux-gnu.conf':
          '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n',
        '/etc/ld.so.conf.d/libc.conf': '# libc default configuration\n/usr/local/lib\n',
        '/etc/ld.so.conf.d/README': '/not/a/conf/file\n',
      },
      expected: [
        '/usr/local/lib',
        '/usr/local/lib/x86_64-linux-gnu',
        '/lib/x86_64-linux-gnu',
        '/usr/lib/x86_64-linux-gnu',
      ],
    },
    {
      name: 'several directories per line, colon, comma and whitespace separated, trailing comments, =TYPE, duplicates',
      files: {
        '/etc/ld.so.conf':
          '/opt/a:/opt/b, /opt/c\t/opt/d/   # four\n/opt/e=libc6\n/opt/a\n  \n# /opt/commented\n',
      },
      expected: ['/opt/a', '/opt/b', '/opt/c', '/opt/d', '/opt/e'],
    },
    {
      name: 'hwcap lines are ignored; relative directories are not used',
      files: { '/etc/ld.so.conf': 'hwcap 1 nosegneg\nrelative/dir\n/opt/ok\n' },
      expected: ['/opt/ok'],
    },
    {
      name: 'nested includes, a plain (non-glob) include, a relative include, a missing file',
      files: {
        '/etc/ld.so.conf': 'include /etc/extra.conf\ninclude missing.conf\n/opt/last\n',
        '/etc/extra.conf': '/opt/extra\ninclude conf.d/?-*.conf\n',
        '/etc/conf.d/1-one.conf': '/opt/one\n',
        '/etc/conf.d/2-two.conf': 'include /etc/deeper.conf\n',
        '/etc/conf.d/.3-hidden.conf': '/opt/hidden\n',
        '/etc/deeper.conf': '/opt/deeper\n',
      },
      expected: ['/opt/extra', '/opt/one', '/opt/deeper', '/opt/last'],
    },
    {
      name: 'an include loop stops at the depth limit',
      files: { '/etc/ld.so.conf': '/opt/top\ninclude /etc/ld.so.conf\n' },
      expected: ['/opt/top'],
    },
    {
      name: 'bracket globs',
      files: {
        '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/[a-b]*.conf\ninclude /etc/ld.so.conf.d/[!a-b]*.conf\n',
        '/etc/ld.so.conf.d/a.conf': '/opt/a\n',
        '/etc/ld.so.conf.d/c.conf': '/opt/c\n',
        '/etc/ld.so.conf.d/b.conf': '/opt/b\n',
      },
      expected: ['/opt/a', '/opt/b', '/opt/c'],
    },
    { name: 'an empty file', files: { '/etc/ld.so.conf': '' }, expected: [] },
    {
      name: 'an include of a directory that does not exist',
      files: { '/etc/ld.so.conf': 'include /etc/nowhere/*.conf\n' },
      expected: [],
    },
  ];

  it.each(cases)('$name', ({ files, expected }) => {
    const { readFile, listDir } = fsOf(files);
    expect(parseLdSoConf(files['/etc/ld.so.conf']!, readFile, listDir)).toEqual(expected);
  });

  it('reads the host configuration to what ldconfig prints', () => {
    if (!existsSync('/etc/ld.so.conf')) return;
    const readFile = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    };
    const listDir = (dir: string) => {
      try {
        return readdirSync(dir);
      } catch {
        return undefined;
      }
    };
    const dirs = parseLdSoConf(readFile('/etc/ld.so.conf')!, readFile, listDir);
    // Every Debian/Ubuntu host has the multiarch directories in ld.so.conf.d.
    if (existsSync('/etc/ld.so.conf.d/x86_64-linux-gnu.conf')) {
      expect(dirs).toContain('/lib/x86_64-linux-gnu');
      expect(dirs).toContain('/usr/lib/x86_64-linux-gnu');
    }
    for (const dir of dirs) expect(dir.startsWith('/')).toBe(true);
  });
});

describe('defaultLibraryDirs', () => {
  const cases: Array<{
    info: { bits: 32 | 64; machineName: string };
    libc: 'glibc' | 'musl';
    expected: string[];
  }> = [
    {
      info: { bits: 64, machineName: 'x86_64' },
      libc: 'glibc',
      expected: [
        '/lib/x86_64-linux-gnu',
        '/usr/lib/x86_64-linux-gnu',
        '/lib64',
        '/usr/lib64',
        '/lib',
        '/usr/lib',
      ],
    },
    {
      info: { bits: 64, machineName: 'aarch64' },
      libc: 'glibc',
      expected: [
        '/lib/aarch64-linux-gnu',
        '/usr/lib/aarch64-linux-gnu',
        '/lib64',
        '/usr/lib64',
        '/lib',
        '/usr/lib',
      ],
    },
    {
      info: { bits: 32, machineName: 'i386' },
      libc: 'glibc',
      expected: [
        '/lib/i386-linux-gnu',
        '/usr/lib/i386-linux-gnu',
        '/lib32',
        '/usr/lib32',
        '/lib',
        '/usr/lib',
      ],
    },
    {
      info: { bits: 64, machineName: 'unknown-999' },
      libc: 'glibc',
      expected: ['/lib64', '/usr/lib64', '/lib', '/usr/lib'],
    },
    {
      info: { bits: 64, machineName: 'x86_64' },
      libc: 'musl',
      expected: ['/lib', '/usr/local/lib', '/usr/lib'],
    },
    {
      info: { bits: 64, machineName: 'aarch64' },
      libc: 'musl',
      expected: ['/lib', '/usr/local/lib', '/usr/lib'],
    },
  ];
  it.each(cases)('$info.machineName/$info.bits $libc', ({ info, libc, expected }) => {
    expect(defaultLibraryDirs(info, libc)).toEqual(expected);
  });
});

describe('libcOfInterpreter', () => {
  const cases: Array<[string | null, 'glibc' | 'musl' | undefined]> = [
    ['/lib64/ld-linux-x86-64.so.2', 'glibc'],
    ['/lib/ld-linux-aarch64.so.1', 'glibc'],
    ['/lib/ld-linux-armhf.so.3', 'glibc'],
    ['/lib/ld-linux.so.2', 'glibc'],
    ['/lib64/ld64.so.2', 'glibc'],
    ['/lib/ld-musl-x86_64.so.1', 'musl'],
    ['/lib/ld-musl-aarch64.so.1', 'musl'],
    ['/system/bin/linker64', undefined],
    ['/lib/ld-musl-x86_64.so.1.bak', undefined],
    [null, undefined],
    ['', undefined],
  ];
  it.each(cases)('%s → %s', (interp, expected) => {
    expect(libcOfInterpreter(interp)).toBe(expected);
  });
});
