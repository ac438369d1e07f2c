// Shipping in a real browser, against the sandbox's InPost ShipX simulator: the create form on a
// parcel-locker order comes prefilled from the order and the account's contract; the shipment
// gets its tracking number and a label that is a real PDF; a second shipment needs confirmation;
// a double submit of one form makes one shipment; bulk creation for 20 orders from the list gives
// a per-order result, and their labels merge into one PDF in the list's order (A6: 20 pages, A4:
// 5 pages); the bulk form sent twice creates nothing the second time. The user's label printer
// (settings page, "Drukarka etykiet") decides what the primary "Etykieta" link and the list's
// "Pobierz etykiety" give: ZPL 203 dpi once chosen.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
  bulkCreate, card, createShipment, download, flash, openOrders, readBulkResult, readShipments,
  selectOrders, shipmentForm, waitForShipments,
} = require('../lib/panel');
const { SELLER_PL, eventually } = require('../lib/stack');
const { ADMIN, suite } = require('../lib/suite');

const LOCKER = /Paczkomaty InPost/;
const state = {};

// pdfinfo's page count of a PDF given as bytes.
function pdfPages(bytes) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nadajnik-pdf-')), 'label.pdf');
  fs.writeFileSync(file, bytes);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const m = /^Pages:\s+(\d+)$/m.exec(info);
  assert.ok(m, info);
  return Number(m[1]);
}

// The text of one page of a PDF (pdftotext), spaces removed.
function pdfPageText(bytes, pageNo) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nadajnik-pdf-'));
  const file = path.join(dir, 'labels.pdf');
  fs.writeFileSync(file, bytes);
  const text = execFileSync('pdftotext', ['-f', String(pageNo), '-l', String(pageNo), file, '-'],
                            { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return text.replace(/\s+/g, '');
}

function assertPdf(bytes) {
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the file is a PDF');
}

suite('shipping', {
  login: ADMIN,
  setup: async (ctx) => {
    await ctx.nadajnik.addAccount(ctx.sandbox, { alias: 'PL', name: 'Sklep PL', login: SELLER_PL });
    await ctx.nadajnik.cli([
      'carriers', 'add', '--account', 'PL', '--carrier', 'inpost',
      '--set', `base_url=${ctx.sandbox.base}/inpost`, '--set', 'organization_id=9001',
      '--set', 'default_service=inpost_locker_standard', '--set', 'default_template=small',
      '--secret', 'token=-',
      '--sender-name', 'Jan Nadawca', '--sender-street', 'Półwiejska 2',
      '--sender-postal-code', '61-888', '--sender-city', 'Poznań',
      '--sender-phone', '600700800', '--sender-email', 'sklep@example.pl',
    ], { input: 'inpost-sandbox-token\n' });
    // About a third of the generated orders go to an InPost parcel locker.
    await ctx.sandbox.admin('POST', '/__sandbox/orders', { count: 120, seller: SELLER_PL });
  },
}, (ctx, step) => {
  step('the list shows the orders, with parcel-locker orders to ship', async () => {
    const { page } = ctx;
    const list = await eventually('120 orders on /orders', async () => {
      const l = await openOrders(page, { per_page: 200 });
      return l.total >= 120 && l.rows.length >= 120 && l;
    }, { timeoutMs: 90000, intervalMs: 1000 });
    state.lockers = list.rows.filter((r) => LOCKER.test(r.delivery));
    assert.ok(state.lockers.length >= 22,
              `parcel-locker orders on one page: ${state.lockers.length}`);
    assert.equal(await page.locator('form#bulk select[name="carrier"] option').count(), 1,
                 'the bulk form offers the account\'s one carrier');
    await ctx.shot('orders-bulk-form');
  });

  step('the create form is prefilled from the order and the InPost contract', async () => {
    const { page } = ctx;
    state.first = state.lockers[0];
    await page.goto(`/orders/${state.first.id}`);
    assert.match(await page.locator('#przesylki').innerText(), /Brak przesyłek/);
    const delivery = await card(page, 'Dostawa').innerText();
    const point = /Punkt odbioru:\s*(\S+)/.exec(delivery);
    assert.ok(point, delivery);
    const form = await shipmentForm(page);
    assert.equal(form.carrier, 'inpost');
    assert.equal(form.carrierLabel.trim(), 'InPost');
    assert.equal(form.service, 'inpost_locker_standard');
    assert.equal(form.template, 'small');
    assert.equal(form.weight_kg, '1');
    assert.equal(form.target_point, point[1], 'the buyer\'s parcel locker');
    assert.match(form.key, /^[\w-]{16,64}$/, 'a per-form idempotency key');
    if (/pobranie/i.test(state.first.delivery)) {
      assert.match(form.cod, /^\d+,\d\d$/, 'cash on delivery: the order\'s total');
    } else {
      assert.equal(form.cod, '');
    }
    assert.equal(await page.locator('form.ship-form input[name="confirm"]').count(), 0,
                 'no confirmation asked for the first shipment');
    await ctx.shot('order-form');
  });

  step('creating the shipment shows it being created, then its tracking number', async () => {
    const { page } = ctx;
    const message = await createShipment(page);
    assert.match(message, /Zlecono przesyłkę InPost \(inpost_locker_standard\)/);
    assert.match(new URL(page.url()).pathname, new RegExp(`^/orders/${state.first.id}$`));
    const shipments = await waitForShipments(page);
    assert.equal(shipments.length, 1, JSON.stringify(shipments));
    const [s] = shipments;
    assert.equal(s.state, 'label_ready', JSON.stringify(s));
    assert.equal(s.carrier, 'InPost');
    assert.match(s.tracking, /^\d{10,30}$/, 'an InPost tracking number');
    assert.ok(s.trackingState.length > 0);
    assert.deepEqual(s.labels.map((l) => l.text), ['Etykieta', 'PDF A4', 'ZPL 203 dpi', 'ZPL 300 dpi'],
                     'the primary link (the user\'s printer, PDF A6 by default), then the others');
    assert.equal(s.labels[0].href, `/shipments/${s.id}/label`, 'the primary link names no format');
    state.firstShipment = s;
    await ctx.shot('order-shipment');
  });

  step('the label downloads as a PDF (A6, one page) and as ZPL', async () => {
    const { page } = ctx;
    const row = page.locator(`table.shipments tr[data-shipment="${state.firstShipment.id}"]`);
    const pdf = await download(page, row.locator('a.label-primary', { hasText: 'Etykieta' }));
    assertPdf(pdf.bytes);
    assert.match(pdf.name, /\.pdf$/);
    assert.equal(pdfPages(pdf.bytes), 1);
    const zpl = await download(page, row.locator('a', { hasText: 'ZPL 203 dpi' }));
    assert.match(zpl.bytes.toString('latin1'), /^\s*\^XA/, 'a ZPL label');
  });

  step('a second shipment for the order is refused until the user confirms it', async () => {
    const { page } = ctx;
    await page.goto(`/orders/${state.first.id}`);
    const box = page.locator('form.ship-form .confirm-another');
    assert.match(await box.innerText(), /ma już przesyłkę/);
    assert.match(await box.innerText(), /Utwórz kolejną przesyłkę/);
    await Promise.all([page.waitForNavigation(),
                       page.click('form.ship-form button:has-text("Utwórz przesyłkę")')]);
    assert.match(await page.locator('form.ship-form').innerText(),
                 /Zamówienie ma już przesyłkę .*potwierdź, aby utworzyć kolejną/);
    assert.equal((await readShipments(page)).length, 1, 'nothing created without confirmation');
    await ctx.shot('order-confirm-another');
  });

  step('a double submit of the same form creates one shipment', async () => {
    const { page, context } = ctx;
    const order = state.lockers[1];
    await page.goto(`/orders/${order.id}`);
    const form = await shipmentForm(page);
    delete form.carrierLabel;
    // Two posts of the same form at once, as a double click sends them.
    const post = () => context.request.post(`/orders/${order.id}/shipments`,
                                            { form, maxRedirects: 0 });
    const answers = await Promise.all([post(), post()]);
    assert.deepEqual(answers.map((a) => a.status()), [303, 303]);
    await page.goto(`/orders/${order.id}`);
    const shipments = await waitForShipments(page);
    assert.equal(shipments.length, 1, JSON.stringify(shipments));
    assert.equal(shipments[0].state, 'label_ready');
    // And once more, later (the page sent back by the browser's history).
    const again = await post();
    assert.equal(again.status(), 303);
    await page.goto(`/orders/${order.id}`);
    assert.match(await flash(page), /nie utworzono drugiej/);
    assert.equal((await readShipments(page)).length, 1);
  });

  step('bulk-create for 20 orders from the list gives 20 results', async () => {
    const { page } = ctx;
    state.bulk = state.lockers.slice(2, 22);
    await openOrders(page, { per_page: 200 });
    // Ticked in reverse: the selection still follows the list's order.
    await selectOrders(page, [...state.bulk].reverse().map((o) => o.id));
    state.bulkForm = await page.locator('form#bulk').evaluate((f) => new URLSearchParams(
      new FormData(f)).toString());
    // Without the confirmation nothing is created: the page asks first.
    const unconfirmed = await ctx.context.request.post('/shipments/bulk', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      data: state.bulkForm,
    });
    assert.equal(unconfirmed.status(), 200);
    assert.match(await unconfirmed.text(), /Utworzyć przesyłki\?[\s\S]*<strong class="count">20<\/strong>/);
    state.bulkForm += '&confirmed=1';
    const result = await bulkCreate(page, { carrier: 'inpost' });
    assert.equal(result.rows.length, 20);
    assert.deepEqual(result.rows.map((r) => r.orderId), state.bulk.map((o) => o.id),
                     'one row per order, in the list\'s order');
    assert.equal(result.created, 20, JSON.stringify(result.rows.filter((r) => r.result !== 'created')));
    assert.ok(result.rows.every((r) => r.result === 'created' && r.shipment));
    await ctx.shot('bulk-result');
    await page.waitForSelector('[data-poll-states][data-ready="1"]', { timeout: 110000 });
    const states = await page.locator('table.bulk-results tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')));
    assert.deepEqual(states, Array(20).fill('label_ready'));
    state.bulkShipments = result.rows.map((r) => r.shipment);
    state.bulkTracking = await page.locator('table.bulk-results tbody td.tracking')
      .evaluateAll((tds) => tds.map((td) => td.innerText.trim()));
    await ctx.shot('bulk-result-ready');
  }, { timeout: 180000 });

  step('the merged labels of the bulk action are one A6 PDF of 20 pages', async () => {
    const { page } = ctx;
    // The primary link: the user's printer (PDF A6 until chosen otherwise).
    const pdf = await download(page, page.locator('a.merged.label-primary[data-format="pdf-a6"]'));
    assertPdf(pdf.bytes);
    assert.equal(pdfPages(pdf.bytes), 20);
    for (const pageNo of [1, 2, 20]) {
      assert.ok(pdfPageText(pdf.bytes, pageNo).includes(state.bulkTracking[pageNo - 1]),
                `page ${pageNo} is the label of the selection's order ${pageNo}`);
    }
  });

  step('the same bulk form sent again creates no second shipment', async () => {
    const { page, context } = ctx;
    const answer = await context.request.post('/shipments/bulk', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      data: state.bulkForm,
    });
    assert.equal(answer.status(), 200);
    await page.setContent(await answer.text());
    const again = await readBulkResult(page);
    assert.equal(again.rows.length, 20);
    assert.equal(again.existing, 20);
    assert.equal(again.created, 0);
    assert.deepEqual(again.rows.map((r) => r.shipment), state.bulkShipments,
                     'the first action\'s shipments');
  });

  step('"Pobierz etykiety" on the list merges the selection\'s labels (A4: 4 per page)', async () => {
    const { page } = ctx;
    await openOrders(page, { per_page: 200 });
    await selectOrders(page, state.bulk.map((o) => o.id));
    await page.selectOption('form#bulk select[name="format"]', 'pdf-a4');
    const pdf = await download(page,
                               page.locator('form#bulk button', { hasText: 'Pobierz etykiety' }));
    assertPdf(pdf.bytes);
    assert.equal(pdfPages(pdf.bytes), 5);
    // An order without a label: said so, nothing downloaded.
    await openOrders(page, { per_page: 200 });
    const without = state.lockers[22] || (await openOrders(page, { per_page: 200 })).rows
      .find((r) => !LOCKER.test(r.delivery));
    await selectOrders(page, [without.id]);
    await Promise.all([page.waitForNavigation(),
                       page.click('form#bulk button:has-text("Pobierz etykiety")')]);
    assert.match(await flash(page), /bez gotowej etykiety/);
  });

  step('cancelling asks for confirmation and reports what the carrier said', async () => {
    const { page } = ctx;
    await page.goto(`/orders/${state.first.id}`);
    await Promise.all([page.waitForNavigation(),
                       page.click(`tr[data-shipment="${state.firstShipment.id}"] a:has-text("Anuluj")`)]);
    assert.equal((await page.locator('main h1').innerText()).trim(), 'Anulować przesyłkę?');
    await ctx.shot('cancel-confirm');
    await Promise.all([page.waitForNavigation(),
                       page.click('button:has-text("Tak, anuluj przesyłkę")')]);
    assert.match(new URL(page.url()).pathname, new RegExp(`^/orders/${state.first.id}$`));
    // InPost cancels only before confirmation: a label-ready shipment stays, with the reason.
    const message = await flash(page);
    assert.match(message, /anulowano/i);
    if (/Nie anulowano/.test(message)) {
      assert.equal((await readShipments(page))[0].state, 'label_ready');
    }
  });

  step('the label printer chosen on the settings page (ZPL 203 dpi) is saved with a message', async () => {
    const { page } = ctx;
    await page.goto('/account/password');
    const select = page.locator('select[name="label_format"]');
    assert.equal(await select.inputValue(), 'pdf-a6', 'PDF A6 until the user chooses');
    assert.deepEqual(
      (await select.locator('option').allInnerTexts()).map((t) => t.trim()),
      ['PDF A6 – jedna etykieta na stronie', 'PDF A4 – cztery na stronie', 'ZPL 203 dpi',
       'ZPL 300 dpi']);
    await select.selectOption('zpl');
    await Promise.all([page.waitForNavigation(),
                       page.click('button:has-text("Zapisz drukarkę")')]);
    assert.equal(new URL(page.url()).pathname, '/account/password');
    assert.match(await flash(page), /Zapisano drukarkę etykiet: ZPL 203 dpi/);
    assert.equal(await page.locator('select[name="label_format"]').inputValue(), 'zpl');
    await ctx.shot('account-label-printer');
  });

  step('then the order page\'s "Etykieta" downloads ZPL, the other formats stay a click away', async () => {
    const { page } = ctx;
    const order = state.lockers[1];
    await page.goto(`/orders/${order.id}`);
    const [s] = await readShipments(page);
    assert.equal(s.state, 'label_ready');
    assert.deepEqual(s.labels.map((l) => l.text), ['Etykieta', 'PDF A6', 'PDF A4', 'ZPL 300 dpi']);
    const row = page.locator(`table.shipments tr[data-shipment="${s.id}"]`);
    const zpl = await download(page, row.locator('a.label-primary', { hasText: 'Etykieta' }));
    assert.match(zpl.bytes.toString('latin1'), /^\s*\^XA/, 'a ZPL label');
    const pdf = await download(page, row.locator('a', { hasText: 'PDF A6' }));
    assertPdf(pdf.bytes);
    await ctx.shot('order-labels-zpl-printer');
  });

  step('and the list\'s "Pobierz etykiety" starts at ZPL 203 dpi', async () => {
    const { page } = ctx;
    await openOrders(page, { per_page: 200 });
    assert.equal(await page.locator('form#bulk select[name="format"]').inputValue(), 'zpl');
    await selectOrders(page, state.bulk.slice(0, 2).map((o) => o.id));
    const file = await download(page,
                                page.locator('form#bulk button', { hasText: 'Pobierz etykiety' }));
    const text = file.bytes.toString('latin1');
    assert.match(text, /^\s*\^XA/, 'ZPL');
    assert.equal((text.match(/\^XZ/g) || []).length, 2, 'two labels, one file');
  });
});
