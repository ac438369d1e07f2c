// Orders in a real browser: the list and its filters as query parameters (and through the filter
// form), an order page whose buyer text carries markup, quotes and Unicode (shown as text, never
// run), and a status change on the order page that reaches Allegro (the sandbox).
'use strict';

const assert = require('node:assert/strict');

const { startAllegroProxy } = require('../lib/allegro_proxy');
const {
  card, changeStatus, openOrders, readOrders, selectOptions, selectOrders,
} = require('../lib/panel');
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

  step('the status tabs count the orders and switch the list', async () => {
    const { page } = ctx;
    const list = await openOrders(page);
    const tabs = await page.locator('nav.status-tabs a').evaluateAll((as) => as.map((a) => ({
      label: a.childNodes[0].textContent.trim(),
      count: Number(a.querySelector('.count').textContent.replace(/\D/g, '')),
      href: a.getAttribute('href'),
      current: a.getAttribute('aria-current') === 'page',
    })));
    const all = tabs.find((t) => t.label === 'Wszystkie');
    assert.ok(all && all.current, JSON.stringify(tabs));
    assert.equal(all.count, list.total);
    const perStatus = tabs.filter((t) => !['Wszystkie', 'Wymaga uwagi'].includes(t.label));
    assert.equal(perStatus.reduce((n, t) => n + t.count, 0), all.count, JSON.stringify(tabs));
    const working = tabs.find((t) => t.label === 'W realizacji');
    assert.ok(working.count >= 1, 'the order changed in the previous step');
    await Promise.all([page.waitForNavigation(),
                       page.click('nav.status-tabs a:has-text("W realizacji")')]);
    const shown = await readOrders(page);
    assert.equal(shown.total, working.count);
    assert.ok(shown.rows.every((r) => r.status.startsWith('W realizacji')));
    assert.equal(await page.getAttribute('nav.status-tabs a[aria-current="page"]', 'href'),
                 working.href);
    await ctx.shot('list-status-tab');
  });

  step('cash on delivery, the carrier and the amount order through the filter form', async () => {
    const { page } = ctx;
    await openOrders(page);
    await page.selectOption('form.filters select[name="carrier"]', 'none');
    await page.selectOption('form.filters select[name="sort"]', 'total_desc');
    await Promise.all([page.waitForNavigation(),
                       page.click('form.filters button:has-text("Filtruj")')]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('carrier'), 'none');
    assert.equal(url.searchParams.get('sort'), 'total_desc');
    const sorted = await readOrders(page);
    const amount = (r) => Number(r.total.replace(/[^\d,.-]/g, '').replace(',', '.'));
    for (let i = 1; i < sorted.rows.length; i += 1) {
      assert.ok(amount(sorted.rows[i - 1]) >= amount(sorted.rows[i]) ||
                sorted.rows[i - 1].total.slice(-3) !== sorted.rows[i].total.slice(-3),
                `${sorted.rows[i - 1].total} before ${sorted.rows[i].total}`);
    }
    assert.ok(sorted.rows.every((r) => ['', '—'].includes(r.shipment)), JSON.stringify(sorted.rows));

    await page.selectOption('form.filters select[name="cod"]', '1');
    await Promise.all([page.waitForNavigation(),
                       page.click('form.filters button:has-text("Filtruj")')]);
    const cod = await readOrders(page);
    assert.ok(cod.rows.every((r) => r.payment.includes('Pobranie')), JSON.stringify(cod.rows));
    // A date the form can't take is named next to its field, the rest still applies.
    await page.goto('/orders?from=2026-02-30&cod=1');
    assert.equal(await page.getAttribute('form.filters input[name="from"]', 'aria-invalid'), 'true');
    assert.match(await page.locator('#f-from-err').innerText(), /RRRR-MM-DD/);
    assert.equal((await readOrders(page)).total, cod.total);
    await page.goto('/orders?carrier=none&sort=total_desc&cod=1');
    await Promise.all([page.waitForNavigation(), page.click('a.clear:has-text("Wyczyść filtry")')]);
    assert.equal(new URL(page.url()).search, '');
  });

  step('"Zmień status" on a selection changes each order and Allegro gets them', async () => {
    const { page } = ctx;
    const nowe = (await selectOptions(page, 'form.filters select[name="status"]'))
      .find((s) => s.label === 'Nowe');
    const list = await openOrders(page, { status: nowe.value });
    const chosen = list.rows.filter((r) => r.alias === 'PL' && !r.buyer.includes('Ząbkowski'))
      .slice(0, 3);
    assert.equal(chosen.length, 3, JSON.stringify(list.rows));
    await selectOrders(page, chosen.map((r) => r.id));
    await page.selectOption('form#bulk select[name="status"]', { label: 'Gotowe do wysyłki' });
    await Promise.all([page.waitForNavigation(),
                       page.click('form#bulk button:has-text("Zmień status")')]);
    assert.equal(new URL(page.url()).pathname, '/orders/bulk-status');
    assert.equal((await page.locator('.summary .changed').innerText()).trim(), '3');
    const results = await page.locator('table.bulk-results tbody tr').evaluateAll((trs) =>
      trs.map((tr) => tr.getAttribute('data-result')));
    assert.deepEqual(results, ['ok', 'ok', 'ok']);
    await ctx.shot('bulk-status-result');

    const forms = [];
    for (const row of chosen) {
      await page.goto(`/orders/${row.id}`);
      forms.push(/^Zamówienie (\S+)/.exec(await page.locator('main h1').innerText())[1]);
      assert.match(await card(page, 'Statusy').innerText(), /Lokalny: Gotowe do wysyłki/);
    }
    await eventually('READY_FOR_SHIPMENT for the three orders at the sandbox', async () => {
      const received = await ctx.sandbox.received('fulfillment');
      return forms.every((f) => received.some((r) => r.checkoutFormId === f &&
                                              r.body.status === 'READY_FOR_SHIPMENT'));
    }, { timeoutMs: 30000, intervalMs: 300 });
  });

  step('the panel speaks English when the browser chooses it, and Polish again', async () => {
    const { page } = ctx;
    await openOrders(page);
    await Promise.all([page.waitForNavigation(), page.click('footer.language a:has-text("English")')]);
    assert.equal(new URL(page.url()).pathname, '/orders', 'back on the page it was on');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.locator('main h1').innerText(), /^Orders/);
    const nav = await page.locator('header nav a').allInnerTexts();
    assert.deepEqual(nav.slice(0, 2), ['Orders', 'Sources']);
    assert.ok((await page.locator('nav.status-tabs a').allInnerTexts())
      .some((t) => t.startsWith('All')));
    assert.equal(await page.locator('form.filters button[type="submit"]').innerText(), 'Filter');
    await ctx.shot('list-english');
    await Promise.all([page.waitForNavigation(), page.click('footer.language a:has-text("Polski")')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'pl');
    assert.match(await page.locator('main h1').innerText(), /^Zamówienia/);
  });

  step('on a tablet at the packing desk (768 px) nothing spills sideways', async () => {
    const { page } = ctx;
    await page.setViewportSize({ width: 768, height: 1024 });
    try {
      const list = await openOrders(page);
      const overflow = () => page.evaluate(() => ({
        page: document.documentElement.scrollWidth - window.innerWidth,
        wide: [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 &&
                         !e.closest('.table-scroll'))
          .slice(0, 3).map((e) => `${e.tagName}.${e.className}`),
      }));
      let o = await overflow();
      assert.ok(o.page <= 0, `the list is ${o.page}px wider than the tablet: ${o.wide}`);
      await ctx.shot('list-tablet');
      await page.goto(`/orders/${list.rows[0].id}`);
      o = await overflow();
      assert.ok(o.page <= 0, `the order page is ${o.page}px wider than the tablet: ${o.wide}`);
      await ctx.shot('order-tablet');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
