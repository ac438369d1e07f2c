// Debian's chromium, headless, driven by playwright-core (no browser download of its own), and
// what every page of a test is watched for: script dialogs (an alert means injected script ran),
// uncaught page errors and Content-Security-Policy refusals reported on the console.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  throw new Error('playwright-core is not installed in tests/e2e/node_modules: run ' +
                  '`scripts/install-deps.sh test` (it runs `npm ci` there) or, in tests/e2e, ' +
                  '`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci`');
}

const CHROMIUM = process.env.NADAJNIK_E2E_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.NADAJNIK_E2E_SCREENSHOTS ||
                    path.join(__dirname, '..', 'e2e-screenshots');
// shared/style.md: these flags, always.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
                       '--disable-background-networking', '--disable-component-update',
                       '--disable-sync', '--disable-dev-shm-usage'];

async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: run scripts/install-deps.sh test`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// A fresh browser profile (cookies) with the panel as base URL, Polish like the seller's, sized
// like a laptop. problems(page) lists what went wrong on its pages so far.
async function newSession(browser, baseURL) {
  const context = await browser.newContext({
    baseURL,
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(30000);
  const page = await context.newPage();
  watch(page);
  context.on('page', watch);
  return { context, page };
}

function watch(page) {
  if (page.problems) return;
  page.problems = [];
  page.on('dialog', async (dialog) => {
    page.problems.push(`dialog ${dialog.type()}: ${dialog.message()} (at ${page.url()})`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource: ... 4xx" is what Chromium logs for any error status, also for
    // the pages that answer 422 or 403 on purpose; CSP refusals and script errors are problems.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      page.problems.push(`console error: ${message.text()} (at ${page.url()})`);
    }
  });
}

// Takes the problems seen so far (and forgets them).
function takeProblems(page) {
  const seen = page.problems || [];
  page.problems = [];
  return seen;
}

// Removes a suite's screenshots of an earlier run, so that the folder shows this run only.
function clearScreenshots(suite) {
  if (!fs.existsSync(SCREENSHOTS)) return;
  for (const file of fs.readdirSync(SCREENSHOTS)) {
    if (file.startsWith(`${suite}-`) && file.endsWith('.png')) {
      fs.rmSync(path.join(SCREENSHOTS, file), { force: true });
    }
  }
}

// A full-page PNG under the screenshots folder: <suite>-<name>.png.
async function screenshot(page, suite, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${suite}-${name}.png`.replace(/[^\w.-]+/g, '_'));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

module.exports = {
  CHROMIUM, SCREENSHOTS, clearScreenshots, launchBrowser, newSession, screenshot, takeProblems,
};
