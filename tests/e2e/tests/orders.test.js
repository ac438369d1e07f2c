// Orders in a real browser: the list and its filters as query parameters (and through the filter
// form), an order page whose buyer text carries markup, quotes and Unicode (shown as text, never
// run), and a status change on the order page that reaches Allegro (the sandbox).
'use strict';

const assert = require('node:assert/strict');

const { startAllegroProxy } = require('../lib/allegro_proxy');
const { card, changeStatus, openOrders, readOrders, selectOptions } = require('../lib/panel');
const { SELLER_CZ, SELLER_PL, eventually } = require('../lib/stack');
const { ADMIN, suite } = require('../lib/suite');

// What a hostile or just unusual buyer may type; the page must show it verbatim, as text.
const HOSTILE = {
  firstName: '<script>alert("imię")</script>',
  lastName: 'O\'Brien "Ząbkowski" & <b>syn</b> 🎁',
  note: '</p><img src=x onerror=alert(\'notatka\')> Proszę „szybko” – 日本語 ✓\nDruga linia',
  street: 'ul. "Długa" 5 <svg onload=alert(1)>',
  offer: 'Kubek <i>„Zażółć gęślą jaźń”</i> & \'ucho\'',
};

function makeHostile(form) {
  form.buyer.firstName = HOSTILE.firstName;
  form.buyer.lastName = HOSTILE.lastName;
  form.messageToSeller = HOSTILE.note;
  if (form.delivery && form.delivery.address) form.delivery.address.street = HOSTILE.street;
  if (form.lineItems && form.lineItems[0]) form.lineItems[0].offer.name = HOSTILE.offer;
}

const state = {};

suite('orders', {
  orders: 30,
  login: ADMIN,
  setup: async (ctx) => {
    // PL reads the REST API through a proxy that rewrites one order's buyer text; CZ directly.
    state.proxy = await startAllegroProxy(ctx.sandbox.base);
    ctx.stack.extras.push(state.proxy);
    await ctx.nadajnik.addAccount(ctx.sandbox, { alias: 'PL', name: 'Sklep „Ząbek”',
                                                 login: SELLER_PL, apiUrl: state.proxy.base });
    await ctx.nadajnik.addAccount(ctx.sandbox, { alias: 'CZ', name: 'Obchod', login: SELLER_CZ });
  },
}, (ctx, step) => {
  step('the list shows the orders of both accounts once the journal has read them', async () => {
    const { page } = ctx;
    const list = await eventually('orders of PL and CZ on /orders', async () => {
      const l = await openOrders(page);
      const aliases = new Set(l.rows.map((r) => r.alias));
      return aliases.has('PL') && aliases.has('CZ') && l;
    }, { timeoutMs: 60000, intervalMs: 1000 });
    assert.ok(list.total >= list.rows.length);
    for (const row of list.rows) {
      assert.match(row.id, /^\d+$/);
      assert.ok(row.buyer.length > 0 && row.total.length > 0 && row.status.length > 0);
    }
    state.orderCount = list.total;
    await ctx.shot('list');
  });

  step('the account filter (?account=) shows only that account\'s orders', async () => {
    const { page } = ctx;
    const accounts = await selectOptions(page, 'form.filters select[name="account"]');
    const cz = accounts.find((a) => a.label.startsWith('CZ'));
    assert.ok(cz, JSON.stringify(accounts));
    const list = await openOrders(page, { account: cz.value });
    assert.ok(list.rows.length > 0);
    assert.ok(list.rows.every((r) => r.alias === 'CZ'), JSON.stringify(list.rows));
    assert.ok(list.total < state.orderCount);
    assert.equal(await page.inputValue('form.filters select[name="account"]'), cz.value,
                 'the filter form shows the filter in force');
  });

  step('the status filter (?status=) and the text filter (?q=) narrow the list', async () => {
    const { page } = ctx;
    await openOrders(page);
    const statuses = await selectOptions(page, 'form.filters select[name="status"]');
    const nowe = statuses.find((s) => s.label === 'Nowe');
    assert.ok(nowe, JSON.stringify(statuses));
    const fresh = await openOrders(page, { status: nowe.value });
    assert.ok(fresh.rows.length > 0);
    assert.ok(fresh.rows.every((r) => r.status.startsWith('Nowe')), JSON.stringify(fresh.rows));

    const login = fresh.rows[0].buyer.split('\n').pop().trim();
    const found = await openOrders(page, { q: login });
    assert.ok(found.rows.length >= 1);
    assert.ok(found.rows.every((r) => r.buyer.includes(login)),
              `${login}: ${JSON.stringify(found.rows)}`);

    const none = await openOrders(page, { q: 'nie-ma-takiego-kupującego' });
    assert.equal(none.rows.length, 0);
    assert.equal(none.total, 0);
    assert.match(await page.locator('main').innerText(), /Brak zamówień spełniających kryteria/);
  });

  step('the filter form puts its choices into the query', async () => {
    const { page } = ctx;
    await openOrders(page);
    const pl = (await selectOptions(page, 'form.filters select[name="account"]'))
      .find((a) => a.label.startsWith('PL'));
    await page.selectOption('form.filters select[name="account"]', pl.value);
    await page.fill('form.filters input[name="q"]', '');
    await Promise.all([page.waitForNavigation(),
                       page.click('form.filters button:has-text("Filtruj")')]);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/orders');
    assert.equal(url.searchParams.get('account'), pl.value, url.search);
    const list = await readOrders(page);
    assert.ok(list.rows.length > 0 && list.rows.every((r) => r.alias === 'PL'));
    await ctx.shot('list-filtered');
  });

  step('buyer text with markup, quotes and Unicode is shown as text on the list and the order',
    async () => {
      const { page } = ctx;
      const [id] = await ctx.sandbox.createOrders({ count: 1, seller: SELLER_PL });
      state.proxy.forms.set(id, makeHostile);
      // The admin API made the order; the journal brings it through the proxy.
      const list = await eventually('the new order on /orders?q=Ząbkowski', async () => {
        const l = await openOrders(page, { q: 'Ząbkowski' });
        return l.rows.length === 1 && l;
      }, { timeoutMs: 60000, intervalMs: 1000 });
      assert.ok(list.rows[0].buyer.startsWith(`${HOSTILE.firstName} ${HOSTILE.lastName}`),
                list.rows[0].buyer);

      await Promise.all([page.waitForNavigation(),
                         page.click(`a[href="/orders/${list.rows[0].id}"]`)]);
      assert.equal(new URL(page.url()).pathname, `/orders/${list.rows[0].id}`);
      assert.match(await page.locator('main h1').innerText(), new RegExp(`^Zamówienie ${id}`));
      const buyer = await card(page, 'Kupujący').innerText();
      assert.ok(buyer.includes(`${HOSTILE.firstName} ${HOSTILE.lastName}`), buyer);
      const note = await card(page, 'Wiadomość od kupującego').locator('.note').innerText();
      assert.equal(note.trim(), HOSTILE.note);
      const delivery = await card(page, 'Dostawa').innerText();
      const form = await ctx.sandbox.checkoutForm(id);
      if (form.delivery.address) assert.ok(delivery.includes(HOSTILE.street), delivery);
      assert.ok((await page.locator('main table').first().innerText()).includes(HOSTILE.offer));

      // Nothing of it became markup: no inline script, none of the injected elements.
      const injected = await page.evaluate(() => ({
        inlineScripts: document.querySelectorAll('script:not([src])').length,
        elements: document.querySelectorAll('main img, main svg, main b, main i').length,
      }));
      assert.deepEqual(injected, { inlineScripts: 0, elements: 0 });
      const html = await page.content();
      assert.ok(!html.includes(HOSTILE.firstName), 'the raw <script> is not in the page');
      await ctx.shot('order-hostile-buyer');
    });

  step('a status changed on the order page reaches Allegro', async () => {
    const { page } = ctx;
    await openOrders(page);
    const nowe = (await selectOptions(page, 'form.filters select[name="status"]'))
      .find((s) => s.label === 'Nowe');
    const accounts = await selectOptions(page, 'form.filters select[name="account"]');
    const pl = accounts.find((a) => a.label.startsWith('PL'));
    const list = await openOrders(page, { status: nowe.value, account: pl.value });
    const row = list.rows.find((r) => !r.buyer.includes('Ząbkowski') && r.status === 'Nowe');
    assert.ok(row, JSON.stringify(list.rows));
    await page.goto(`/orders/${row.id}`);
    const checkoutFormId = /^Zamówienie (\S+)/.exec(await page.locator('main h1').innerText())[1];
    await ctx.shot('order');

    const message = await changeStatus(page, 'W realizacji');
    assert.match(message,
                 /Status zmieniony na „W realizacji”\. Allegro dostanie status PROCESSING/);
    assert.match(await card(page, 'Statusy').innerText(), /Lokalny: W realizacji/);
    await ctx.shot('order-status-changed');

    const pushed = await eventually('the fulfillment status at the sandbox', async () => {
      const received = await ctx.sandbox.received('fulfillment');
      return received.find((r) => r.checkoutFormId === checkoutFormId);
    }, { timeoutMs: 30000, intervalMs: 300 });
    assert.equal(pushed.body.status, 'PROCESSING', JSON.stringify(pushed));
    const form = await ctx.sandbox.checkoutForm(checkoutFormId);
    assert.equal(form.fulfillment.status, 'PROCESSING');

    const inProgress = (await selectOptions(page, 'form.status-form select[name="status"]'))
      .find((s) => s.label === 'W realizacji');
    const filtered = await openOrders(page, { status: inProgress.value });
    assert.ok(filtered.rows.some((r) => r.id === row.id), JSON.stringify(filtered.rows));
    assert.ok(filtered.rows.every((r) => r.status.startsWith('W realizacji')));
  });
});
