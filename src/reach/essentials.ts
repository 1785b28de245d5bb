/**
 * Files an app needs without naming them in a way tracing or import analysis
 * would see on a short probe: identity (users, groups, NSS), the network
 * (hosts, resolver), trust (CA certificates, OpenSSL config), the loader's
 * cache and configuration, and time (the local zone and UTC). Also the
 * directories programs expect to exist (/tmp…).
 */

/** Kept when present, following symlinks. */
export const ESSENTIAL_FILES = [
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/host.conf',
  '/etc/resolv.conf',
  '/etc/hostname',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/ssl/cert.pem',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/openssl.cnf',
  '/usr/lib/ssl/openssl.cnf',
  '/usr/share/zoneinfo/UTC',
  '/usr/share/zoneinfo/Etc/UTC',
  '/etc/mime.types',
];

/** Kept with everything below them (small, and read by listing: CApath certificate links, loader config). */
export const ESSENTIAL_TREES = ['/etc/ld.so.conf.d', '/etc/ssl/certs'];

/** Directories kept even when empty: programs create files in them. */
export const ESSENTIAL_DIRECTORIES = ['/tmp', '/var/tmp', '/run', '/root', '/home', '/dev', '/proc', '/sys'];

/** musl's loader reads `/etc/ld-musl-ARCH.path` instead of ld.so.conf. */
export const MUSL_PATH_FILE = /^\/etc\/ld-musl-[^/]+\.path$/;

/**
 * The whole zone database is kept only when the app showed it reads zones
 * beyond the local one (a traced read, the Python `zoneinfo` module, or TZ set):
 * it is 4 MB on Debian, a fifth of a minimal Python image.
 */
export const ZONEINFO = '/usr/share/zoneinfo';

/** Paths inside a container that are not the image's files. */
export function isVirtualPath(path: string): boolean {
  return /^\/(proc|sys|dev)(\/|$)/.test(path) || path.startsWith('/.pare-');
}
