import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` package. Browser tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts headless Chromium; fails (never skips) when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Install it with \`apt-get install chromium\` ` +
        '(the browser tests drive the Debian package and never download a browser).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const isLoopback = (url: string): boolean => {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  try {
    const { hostname } = new URL(url);
    return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  } catch {
    return false;
  }
};

/**
 * A page in a fresh context that reaches only loopback addresses: anything else (a validator
 * badge, an OpenID discovery URL from the document) is aborted, so tests stay on this machine.
 */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  return context.newPage();
}

/** Closes the browser and every page; safe to call when launching failed. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}
