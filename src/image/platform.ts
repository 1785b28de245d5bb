/**
 * `--platform` handling: parsing `os/arch[/variant]` and choosing one manifest
 * from an image index / manifest list. Shared by every source that can meet an
 * index (OCI layouts, archives, registries).
 */
import { PareError } from '../util/errors.js';
import type { Platform } from './types.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** Variants containerd treats as the default for their architecture (so `linux/arm64` = `linux/arm64/v8`). */
const DEFAULT_VARIANTS: Record<string, string> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

/** Architecture aliases seen in the wild, mapped to the OCI/Go names. */
const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
};

export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) {
    throw new PareError(`invalid platform "${text}" (expected os/arch or os/arch/variant, e.g. linux/arm64)`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Lower-cased, aliases resolved, default variants made explicit, so equal platforms compare equal. */
function normalisePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  const lowerArch = platform.architecture.toLowerCase();
  const architecture = ARCH_ALIASES[lowerArch] ?? lowerArch;
  const variant = platform.variant?.toLowerCase() || DEFAULT_VARIANTS[architecture];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

function platformMatches(candidate: Platform, wanted: Platform): boolean {
  const have = normalisePlatform(candidate);
  const want = normalisePlatform(wanted);
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  // Without an explicit variant, any variant of the architecture will do (best one chosen by the caller).
  return wanted.variant === undefined || have.variant === want.variant;
}

/**
 * Picks the entry for `wanted` (default linux/amd64) from an index's manifests.
 * An index whose only entry has no platform is taken as is. Among several
 * matches, the one with the architecture's default variant wins, then the first.
 */
export function selectPlatform<T extends { platform?: Platform | undefined }>(
  manifests: readonly T[],
  wanted: Platform | string | undefined,
  subject: string,
): T {
  const want = typeof wanted === 'string' ? parsePlatform(wanted) : (wanted ?? DEFAULT_PLATFORM);
  const matches = manifests.filter(
    (item) => item.platform !== undefined && platformMatches(item.platform, want),
  );
  if (matches.length === 0) {
    const only = manifests[0];
    if (manifests.length === 1 && only !== undefined && only.platform === undefined) return only;
    const available = manifests
      .map((item) => (item.platform ? formatPlatform(item.platform) : 'unspecified'))
      .filter((name) => name !== 'unknown/unknown'); // BuildKit attestation manifests
    throw new PareError(
      `no image for platform ${formatPlatform(want)} (the index has: ${[...new Set(available)].join(', ') || 'nothing'}); choose one with --platform`,
      { subject },
    );
  }
  const preferred = normalisePlatform(want).variant;
  return matches.find((item) => normalisePlatform(item.platform!).variant === preferred) ?? matches[0]!;
}
