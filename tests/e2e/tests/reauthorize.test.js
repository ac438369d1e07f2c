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
    assert.ok(reason.trim().length > 0, 'the reason is shown next to the state');
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
    // The refused refresh stays the account's last error until its next successful read of the
    // journal (a few hundred ms here), then the column is empty again.
    await eventually('the last error cleared by a successful journal read', async () => {
      await page.goto('/sources');
      return (await row.locator('td').nth(7).innerText()).trim() === '—';
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
});
