/**
 * What the browser tests share: Debian's Chromium driven by playwright-core
 * (never a downloaded browser), launched the same way; every console error,
 * uncaught page error and dialog collected as a failure; and the rule that a
 * missing Chromium skips locally but fails when CI requires the engine tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
/** CI sets PARE_ENGINE_TESTS=1: then what these tests need must be there. */
export const REQUIRED = process.env.PARE_ENGINE_TESTS === '1';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects what the page reports as going wrong; a test expects the list to stay empty. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return errors;
}

/** Opens a report file in a new page, errors watched from the start. */
export async function openPage(
  browser: Browser,
  path: string,
  viewport = { width: 1400, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors = watchErrors(page);
  await page.goto(`file://${path}`);
  return { page, errors };
}

/** A describe block that needs Chromium: skipped without it, failing without it when REQUIRED. */
export function describeWithChromium(name: string, body: () => void): void {
  if (!existsSync(CHROMIUM) && REQUIRED) {
    describe(name, () => {
      it('has Chromium (PARE_ENGINE_TESTS=1)', () => {
        throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
      });
    });
    return;
  }
  describe.skipIf(!existsSync(CHROMIUM))(name, body);
}

export function dockerHas(image: string): boolean {
  if (!existsSync('/usr/bin/docker')) return false;
  try {
    execFileSync('/usr/bin/docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
