// Order sources in a real browser: an admin adds an Allegro account (with a field error first),
// connects it through the sandbox's OAuth consent page (the panel's redirect there must pass its
// own Content-Security-Policy), imports with "Importuj" and reads the report, and a refused
// consent is explained.
'use strict';

const assert = require('node:assert/strict');

const { accountState, addAccount, authorizeInBrowser, flash, importOrders, readOrders, sourceRow } =
  require('../lib/panel');
const { SELLER_PL } = require('../lib/stack');
const { ADMIN, suite } = require('../lib/suite');

suite('sources', {
  // Paid orders over the last 30 days; Nadajnik backfills only the last day by itself, so
  // "Importuj" for 30 days has something new to bring.
  orders: 40,
  env: { NADAJNIK_ALLEGRO_BACKFILL_DAYS: '1' },
  login: ADMIN,
}, (ctx, step) => {
  step('the sources page starts empty with the add form', async () => {
    const { page } = ctx;
    await page.click('header nav a:has-text("Źródła")');
    assert.equal(new URL(page.url()).pathname, '/sources');
    assert.match(await page.locator('main').innerText(), /Nie ma jeszcze żadnego konta Allegro/);
    await ctx.shot('empty');
  });

  step('a bad alias is refused next to its field and the other fields are kept', async () => {
    const { page } = ctx;
    await addAccount(page, { alias: 'X', name: 'Sklep Ząbek', sandbox: ctx.sandbox });
    assert.match(await page.locator('main [role="alert"]').innerText(),
                 /Konto nie zostało dodane/);
    assert.equal(await page.getAttribute('#a-alias', 'aria-invalid'), 'true');
    assert.match(await page.locator('#a-alias-err').innerText(), /dokładnie dwie litery/);
    assert.equal(await page.inputValue('#a-name'), 'Sklep Ząbek');
    assert.equal(await page.inputValue('#a-api'), ctx.sandbox.base);
    assert.equal(await page.inputValue('#a-cs'), '', 'the secret is never sent back');
    await ctx.shot('add-error');
  });

  step('an admin adds the account PL with the sandbox\'s addresses', async () => {
    const { page } = ctx;
    const message =
      await addAccount(page, { alias: 'PL', name: 'Sklep Ząbek', sandbox: ctx.sandbox });
    assert.equal(new URL(page.url()).pathname, '/sources');
    assert.match(message, /^Dodano konto PL \(„Sklep Ząbek”\)/);
    assert.equal(await accountState(page, 'PL'), 'nowe');
    assert.equal(await sourceRow(page, 'PL').locator('button', { hasText: 'Importuj' }).count(), 0,
                 'no import before authorization');
  });

  step('"Autoryzuj" goes through the sandbox\'s consent page and back', async () => {
    const { page } = ctx;
    const back = await authorizeInBrowser(page, 'PL', {
      sandbox: ctx.sandbox,
      onConsentPage: async (consent) => {
        assert.match(await consent.locator('body').innerText(), /prosi o dostęp/);
        await ctx.shot('allegro-consent');
      },
    });
    assert.equal(new URL(back.url).pathname, '/sources');
    assert.match(back.flash, new RegExp(`^Połączono konto PL z kontem Allegro „${SELLER_PL}”`));
    assert.equal(await accountState(page, 'PL'), 'aktywne');
    assert.match(await sourceRow(page, 'PL').innerText(), new RegExp(SELLER_PL));
    await ctx.shot('connected');
  });

  step('"Importuj" brings the paid orders of 30 days and shows the report', async () => {
    const { page } = ctx;
    const report = await importOrders(page, 'PL', { days: 30 });
    assert.equal(report.heading, 'Import z konta PL Sklep Ząbek');
    assert.equal(report.failed, 0);
    assert.ok(report.inserted > 0, `new orders imported: ${JSON.stringify(report)}`);
    assert.ok(report.summary.length > 0);
    await ctx.shot('import-report');

    await Promise.all([page.waitForNavigation(),
                       page.click('main a:has-text("Zobacz zamówienia")')]);
    const list = await readOrders(page);
    assert.ok(list.total >= report.inserted + report.updated + report.unchanged,
              `list total ${list.total} covers the report ${JSON.stringify(report)}`);
    assert.ok(list.rows.length > 0 && list.rows.every((r) => r.alias === 'PL'));
  });

  step('the account page shows the token and the journal', async () => {
    const { page } = ctx;
    await page.goto('/sources/PL');
    const main = await page.locator('main').innerText();
    assert.match(main, /Token: ważny do /);
    assert.match(main, /Ostatni odczyt: /);
    await ctx.shot('account-health');
  });

  step('a long buyer e-mail wraps inside its card on a 768px tablet', async () => {
    const { page } = ctx;
    await page.setViewportSize({ width: 768, height: 1024 });
    try {
      await page.goto('/orders');
      const list = await readOrders(page);
      await page.goto(`/orders/${list.rows[0].id}`);
      const fits = await page.locator('.card.buyer').evaluate((card) => {
        card.querySelector('p').append(` ${'bardzo-dlugi-adres-kupujacego'.repeat(6)}@example.com`);
        return card.scrollWidth <= card.clientWidth + 1 &&
               document.documentElement.scrollWidth <= window.innerWidth + 1;
      });
      assert.ok(fits, 'the card keeps its width and the page does not scroll sideways');
      await ctx.shot('order-long-email-tablet');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  step('a second import finds nothing new', async () => {
    const report = await importOrders(ctx.page, 'PL', { days: 30 });
    assert.equal(report.inserted, 0, JSON.stringify(report));
    assert.equal(report.failed, 0);
  });

  step('an account name with markup is shown as text', async () => {
    const { page } = ctx;
    const name = 'Obchod <b>„Ž”</b> & \'x\'';
    const message = await addAccount(page, { alias: 'CZ', name, sandbox: ctx.sandbox });
    assert.equal(message.split('\n')[0].startsWith(`Dodano konto CZ („${name}”)`), true, message);
    assert.ok((await sourceRow(page, 'CZ').innerText()).includes(name));
    assert.equal(await page.locator('main b').count(), 0);
  });

  step('a refused consent leaves the account unconnected and says so', async () => {
    const { page } = ctx;
    const back = await authorizeInBrowser(page, 'CZ', { sandbox: ctx.sandbox, decision: 'deny' });
    assert.equal(back.heading, 'Odmówiono dostępu');
    await ctx.shot('authorize-denied');
    await page.goto('/sources');
    assert.equal(await accountState(page, 'CZ'), 'nowe');
    assert.equal(await flash(page), '');
  });

  // Last: these need one line each outside the sources files (wiring: AccountService gets the
  // request budgets; panel routes: /favicon.ico; static files: the SVG type).
  step('the account page shows the request budget used since the start', async () => {
    const { page } = ctx;
    await page.goto('/sources/PL');
    assert.match(await page.locator('#budget').innerText(), /^\d+ \/ \d+ zapytań w ostatniej minucie/);
    assert.match(await page.locator('main').innerText(), /od uruchomienia/);
  });

  step('the icon is served and /favicon.ico is no longer 404', async () => {
    const { page } = ctx;
    const svg = await page.request.get('/static/favicon.svg');
    assert.equal(svg.status(), 200);
    assert.match(svg.headers()['content-type'], /^image\/svg\+xml/);
    assert.equal(await page.locator('head link[rel="icon"]').getAttribute('href'),
                 '/static/favicon.svg');
    const ico = await page.request.get('/favicon.ico', { maxRedirects: 0 });
    assert.ok([204, 301, 302, 303, 307, 308].includes(ico.status()), `status ${ico.status()}`);
  });
});
