// A revoked account in a real browser: the seller's tokens die at Allegro (a password change),
// /sources marks the account as needing re-authorization with the reason, "Autoryzuj ponownie"
// goes through the consent page, and the import resumes.
'use strict';

const assert = require('node:assert/strict');

const { accountState, authorizeInBrowser, openOrders, sourceRow } = require('../lib/panel');
const { SELLER_PL, eventually } = require('../lib/stack');
const { ADMIN, suite } = require('../lib/suite');

suite('reauthorize', {
  orders: 10,
  login: ADMIN,
  setup: async (ctx) => {
    await ctx.nadajnik.addAccount(ctx.sandbox, { alias: 'PL', name: 'Sklep', login: SELLER_PL });
  },
}, (ctx, step) => {
  step('the connected account is active', async () => {
    await ctx.page.goto('/sources');
    assert.equal(await accountState(ctx.page, 'PL'), 'aktywne');
  });

  step('after the tokens are revoked at Allegro, /sources asks for re-authorization', async () => {
    const { page } = ctx;
    await ctx.sandbox.revoke(SELLER_PL);
    await eventually('PL marked as needing re-authorization', async () => {
      await page.goto('/sources');
      return (await accountState(page, 'PL')) === 'wymaga ponownej autoryzacji';
    }, { timeoutMs: 60000, intervalMs: 500 });
    const row = sourceRow(page, 'PL');
    assert.match(await row.getAttribute('class'), /attention/);
    const reason = await row.locator('td').nth(3).locator('small.error-text').innerText();
    assert.equal(reason.trim(),
                 'Allegro odrzuciło token odświeżania (invalid_grant): autoryzuj konto ponownie.',
                 'the reason in Polish, next to the state');
    const original = row.locator('td').nth(3).locator('small.original');
    assert.match(await original.innerText(), /invalid_grant/, 'the original kept for support');
    assert.equal(await original.getAttribute('lang'), 'en');
    assert.equal(await row.locator('button', { hasText: 'Importuj' }).count(), 0);
    assert.equal(await row.locator('button', { hasText: 'Autoryzuj ponownie' }).count(), 1);
    await ctx.shot('needs-reauthorization');
  });

  step('"Autoryzuj ponownie" through the consent page makes it active again', async () => {
    const { page } = ctx;
    const back = await authorizeInBrowser(page, 'PL', { sandbox: ctx.sandbox });
    assert.equal(new URL(back.url).pathname, '/sources');
    assert.match(back.flash, new RegExp(`^Połączono konto PL z kontem Allegro „${SELLER_PL}”`));
    assert.equal(await accountState(page, 'PL'), 'aktywne');
    const row = sourceRow(page, 'PL');
    assert.equal(await row.locator('td').nth(3).locator('small.error-text').count(), 0,
                 'the reason is gone');
    // The refused refresh stays stored as the account's last error until its next successful
    // read of the journal, but it is older than the re-authorization: never shown as current.
    assert.equal(await row.locator('td.last-error .error-text').count(), 0,
                 'no stale error beside "aktywne"');
    assert.doesNotMatch(await row.innerText(), /invalid_grant/);
    await eventually('the last error cleared by a successful journal read', async () => {
      await page.goto('/sources');
      return (await row.locator('td.last-error').innerText()).trim() === '—';
    }, { timeoutMs: 30000, intervalMs: 500 });
    await ctx.shot('reauthorized');
  });

  step('orders placed after re-authorization are imported', async () => {
    const [id] = await ctx.sandbox.createOrders({ count: 1, seller: SELLER_PL });
    await eventually(`order ${id} on /orders`, async () => {
      const list = await openOrders(ctx.page, { q: id });
      return list.rows.length === 1;
    }, { timeoutMs: 60000, intervalMs: 1000 });
  });

  // Last: it needs the serving process to hand AccountService its request budgets (wiring).
  step('the sources list shows the request budget used since the start', async () => {
    const { page } = ctx;
    await page.goto('/sources');
    assert.match(await sourceRow(page, 'PL').locator('td.budget').innerText(),
                 /^\d+ \/ \d+ na minutę[\s\S]*od uruchomienia/);
  });
});
