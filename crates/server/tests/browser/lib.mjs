// Shared by the browser tests: the browser, a page on an office screen, signing in.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const URL = process.env.WJ_URL;
export const ARTIFACTS = process.env.WJ_ARTIFACTS || 'artifacts';
export const PASSWORD = 'wangjian-demo-2026';
mkdirSync(ARTIFACTS, { recursive: true });

// Debian's chromium, no download.
export async function launch() {
  assert.ok(URL, 'WJ_URL is set');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// An office screen; `errors` collects page errors, console errors and dialogs (an
// `alert` from injected markup would land here).
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  return { context, page, errors };
}

export async function signIn(page, login) {
  await page.goto(`${URL}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit].primary')]);
}
