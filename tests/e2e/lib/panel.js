// What a seller does in the panel, one function per action, by the page's visible labels and the
// stable field names (login: username, password). Each returns what the panel answered (a flash,
// a report) for the test to check.
'use strict';

const assert = require('node:assert/strict');

const { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_SELLER_PASSWORD, SELLER_PL } =
  require('./stack');

function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

async function logIn(page, username, password) {
  await page.goto('/login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Zaloguj")')]);
}

async function logOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('header form.logout button')]);
}

// The text of the flash message at the top of the page ('' when there is none).
async function flash(page) {
  const f = page.locator('main .flash');
  return (await f.count()) ? (await f.innerText()).trim() : '';
}

// ---- sources ------------------------------------------------------------------------------------

// Fills "Dodaj konto Allegro" on /sources and submits it. `environment` 'custom' takes the
// sandbox's base URL for both addresses, as a test can't use Allegro's own.
async function addAccount(page, { alias, name, sandbox, apiUrl, environment = 'custom',
                                  clientId = SANDBOX_CLIENT_ID,
                                  clientSecret = SANDBOX_CLIENT_SECRET }) {
  await page.goto('/sources');
  await page.fill('#a-alias', alias);
  await page.fill('#a-name', name);
  await page.selectOption('#a-env', environment);
  if (environment === 'custom') {
    await page.fill('#a-auth', sandbox.base);
    await page.fill('#a-api', apiUrl || sandbox.base);
  }
  await page.fill('#a-cid', clientId);
  await page.fill('#a-cs', clientSecret);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Dodaj konto")')]);
  return flash(page);
}

// The row of an account in the sources table.
function sourceRow(page, alias) {
  return page.locator('table.sources tbody tr').filter({
    has: page.locator('a.alias', { hasText: new RegExp(`^${escapeRegExp(alias)}$`) }),
  });
}

async function accountState(page, alias) {
  return (await sourceRow(page, alias).locator('.state').innerText()).trim();
}

// "Autoryzuj" (or "Autoryzuj ponownie") on /sources, then the sandbox's consent page as the seller
// sees it: login, password, "Zezwól" (or "Odmów"), and back to the panel. Returns the page the
// browser ends on: its URL, heading and flash.
async function authorizeInBrowser(page, alias, { sandbox, login = SELLER_PL,
                                                 password = SANDBOX_SELLER_PASSWORD,
                                                 decision = 'allow', onConsentPage } = {}) {
  if (!page.url().endsWith('/sources')) await page.goto('/sources');
  const button = sourceRow(page, alias).locator('button', { hasText: /^Autoryzuj/ });
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${sandbox.base}/auth/oauth/authorize?`)),
    button.click(),
  ]);
  await page.waitForSelector('input[name="login"]');
  const redirect = await page.inputValue('input[type="hidden"][name="redirect_uri"]');
  assert.match(redirect, /\/sources\/callback$/, 'the consent page sends the seller back to us');
  if (onConsentPage) await onConsentPage(page);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', password);
  const panel = new URL(redirect).origin;
  // The callback redirects to /sources when all went well; it is only a document of its own when
  // it shows an error (a refusal, a stale link).
  await Promise.all([
    page.waitForURL((u) => u.origin === panel),
    page.click(`button[name="decision"][value="${decision}"]`),
  ]);
  return { url: page.url(), heading: (await page.locator('main h1').first().innerText()).trim(),
           flash: await flash(page) };
}

// "Importuj" in the account's row: the report page's numbers.
async function importOrders(page, alias, { days = 30, archived = false } = {}) {
  if (!page.url().endsWith('/sources')) await page.goto('/sources');
  const form = sourceRow(page, alias).locator('form.import');
  await form.locator('input[name="days"]').fill(String(days));
  if (archived) await form.locator('input[name="archived"]').check();
  await Promise.all([page.waitForNavigation({ timeout: 120000 }),
                     form.locator('button', { hasText: 'Importuj' }).click()]);
  const number = async (label) => Number((await page.locator('table.report tr')
    .filter({ has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) })
    .locator('td').innerText()).trim());
  return {
    heading: (await page.locator('main h1').innerText()).trim(),
    summary: (await page.locator('main [role="status"]').innerText()).trim(),
    inserted: await number('Nowe'),
    updated: await number('Zaktualizowane'),
    unchanged: await number('Bez zmian'),
    skipped: await number('Pominięte'),
    failed: await number('Błędy'),
  };
}

// ---- orders -------------------------------------------------------------------------------------

// /orders with its filters as query parameters (q, status, account, attention).
async function openOrders(page, filters = {}) {
  const query = new URLSearchParams(filters).toString();
  await page.goto(`/orders${query ? `?${query}` : ''}`);
  return readOrders(page);
}

// The list as shown: the count in the heading and each row's cells.
async function readOrders(page) {
  // "1 234" (no-break spaces) or "ponad 10 000" when the filter matches more than that.
  const total = Number((await page.locator('main h1 .count').innerText()).replace(/\D/g, ''));
  const rows = await page.locator('table.orders tbody tr').evaluateAll((trs) => trs.map((tr) => {
    // The selection checkbox (td.pick) is not a data column.
    const cells = [...tr.querySelectorAll('td:not(.pick)')].map((td) => td.innerText.trim());
    const link = tr.querySelector('td a[href^="/orders/"]');
    return {
      id: link ? link.getAttribute('href').split('/').pop() : '',
      alias: cells[0], shortId: cells[1], buyer: cells[2], delivery: cells[3], payment: cells[4],
      total: cells[5], shipment: cells[6], status: cells[7], boughtAt: cells[8],
    };
  }));
  return { total, rows };
}

// The options of a <select> as {value, label}.
async function selectOptions(page, selector) {
  return page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => ({
    value: o.value, label: o.textContent.trim(),
  })));
}

// On /orders/{id}: picks the status and saves it; returns the flash.
async function changeStatus(page, statusName) {
  await page.selectOption('form.status-form select[name="status"]', { label: statusName });
  await Promise.all([page.waitForNavigation(),
                     page.click('form.status-form button:has-text("Zapisz status")')]);
  return flash(page);
}

// The card of the order page with this heading (Kupujący, Dostawa, Płatność, Statusy).
function card(page, heading) {
  return page.locator('main .card').filter({
    has: page.locator('h2', { hasText: new RegExp(`^${escapeRegExp(heading)}$`) }),
  });
}

// ---- shipping -----------------------------------------------------------------------------------

// The order page's "Przesyłki" table as shown.
async function readShipments(page) {
  return page.locator('table.shipments tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const cells = [...tr.querySelectorAll('td')].map((td) => td.innerText.trim());
    return {
      id: tr.getAttribute('data-shipment'),
      state: tr.getAttribute('data-state'),
      carrier: cells[1], service: cells[2], stateLabel: cells[3], tracking: cells[4],
      trackingState: cells[5], labels: [...tr.querySelectorAll('td.labels a')].map((a) => ({
        text: a.textContent.trim(), href: a.getAttribute('href'),
      })),
    };
  }));
}

// The values the "Utwórz przesyłkę" form holds now (hidden fields included).
async function shipmentForm(page) {
  return page.locator('form.ship-form').evaluate((form) => {
    const out = {};
    for (const [k, v] of new FormData(form).entries()) out[k] = v;
    out.carrierLabel = form.querySelector('select[name="carrier"]').selectedOptions[0].textContent;
    return out;
  });
}

// Submits "Utwórz przesyłkę" on /orders/{id} (after `fill` edits the form); returns the flash.
async function createShipment(page, { fill, confirmAnother = false } = {}) {
  if (fill) await fill(page.locator('form.ship-form'));
  if (confirmAnother) await page.check('form.ship-form input[name="confirm"]');
  await Promise.all([page.waitForNavigation(),
                     page.click('form.ship-form button:has-text("Utwórz przesyłkę")')]);
  return flash(page);
}

// Waits until every shipment of the order page has left "being created" (the page reloads itself).
async function waitForShipments(page, { timeoutMs = 90000 } = {}) {
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table.shipments tbody tr')];
    return rows.length > 0 && rows.every((r) => !['pending', 'created'].includes(r.dataset.state));
  }, null, { timeout: timeoutMs, polling: 500 });
  return readShipments(page);
}

// Clicks a link or button that answers with a file; resolves to {name, bytes}.
async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const stream = await file.createReadStream();
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

// On /orders: ticks the orders with these ids (in the list's order, whatever the order of `ids`).
async function selectOrders(page, ids) {
  for (const id of ids) await page.check(`input[type="checkbox"][name="order"][value="${id}"]`);
}

// "Utwórz przesyłki" for the selection; returns the result page's rows and counts.
async function bulkCreate(page, { carrier = 'inpost', service = '', template = '' } = {}) {
  await page.selectOption('form#bulk select[name="carrier"]', carrier);
  await page.fill('form#bulk input[name="service"]', service);
  await page.fill('form#bulk input[name="template"]', template);
  await Promise.all([page.waitForNavigation(),
                     page.click('form#bulk button:has-text("Utwórz przesyłki")')]);
  // Billable: the panel asks once, naming how many and with which carrier.
  await Promise.all([page.waitForNavigation(),
                     page.click('form.bulk-confirm button:has-text("Tak, utwórz przesyłki")')]);
  return readBulkResult(page);
}

async function readBulkResult(page) {
  const count = async (cls) => Number((await page.locator(`.summary .${cls}`).innerText()).trim());
  const rows = await page.locator('table.bulk-results tbody tr').evaluateAll((trs) => trs.map(
    (tr) => ({
      orderId: tr.querySelector('td a').getAttribute('href').split('/').pop(),
      result: tr.getAttribute('data-result'),
      shipment: tr.getAttribute('data-shipment'),
      text: tr.innerText,
    })));
  return { rows, created: await count('created'), existing: await count('existing'),
           refused: await count('refused') };
}

module.exports = {
  accountState,
  addAccount,
  authorizeInBrowser,
  bulkCreate,
  card,
  changeStatus,
  createShipment,
  download,
  escapeRegExp,
  flash,
  importOrders,
  logIn,
  logOut,
  openOrders,
  readBulkResult,
  readOrders,
  readShipments,
  selectOrders,
  selectOptions,
  shipmentForm,
  sourceRow,
  waitForShipments,
};
