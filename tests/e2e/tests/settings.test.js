// The admin's settings in a real browser: "Ustawienia › Statusy" (the status mapping of an
// account: RETURNED refused next to its field, a saved change shown in the list), packers kept
// out, and "Użytkownicy" (a user's role changed, taking effect in that user's open session).
'use strict';

const assert = require('node:assert/strict');

const { newSession, screenshot } = require('../lib/browser');
const { flash, logIn, logOut } = require('../lib/panel');
const { ADMIN, PACKER, suite } = require('../lib/suite');

// The row of a local status in the mapping table of account `alias`: [local, allegro, setting].
async function mappingRow(page, alias, localStatus) {
  const rows = page.locator(`#konto-${alias} table tbody tr`);
  for (const cells of await rows.evaluateAll(
    (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())))) {
    if (cells[0] === localStatus) return cells;
  }
  return null;
}

// The <select> of a local status on the mapping form, by its visible label.
function mappingSelect(page, localStatus) {
  return page.getByLabel(localStatus, { exact: false });
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(`main button:has-text("${button}")`)]);
}

suite('settings', {
  users: [ADMIN, PACKER],
  setup: async (ctx) => { await ctx.nadajnik.addAccount(ctx.sandbox, { alias: 'PL', name: 'Sklep PL' }); },
  login: ADMIN,
}, (ctx, step) => {
  step('the admin opens Statusy from the menu and sees the defaults of the account', async () => {
    const { page } = ctx;
    await Promise.all([page.waitForNavigation(), page.click('header nav a:has-text("Statusy")')]);
    assert.equal(new URL(page.url()).pathname, '/settings/statuses');
    assert.equal(await page.locator('main h1').innerText(), 'Ustawienia › Statusy');
    assert.deepEqual(await mappingRow(page, 'PL', 'Wysłane'), ['Wysłane', 'Wysłane (SENT)', 'domyślne']);
    await ctx.shot('list');
  });

  step('RETURNED is refused next to its field and nothing is saved', async () => {
    const { page } = ctx;
    await Promise.all([page.waitForNavigation(), page.click('main a:has-text("Zmień mapowanie konta PL")')]);
    assert.equal(new URL(page.url()).pathname, '/settings/statuses/PL');
    await mappingSelect(page, 'Wysłane').selectOption('RETURNED');
    await submit(page, 'Zapisz');
    assert.equal(new URL(page.url()).pathname, '/settings/statuses/PL');
    const select = mappingSelect(page, 'Wysłane');
    assert.equal(await select.getAttribute('aria-invalid'), 'true');
    const errorId = await select.getAttribute('aria-describedby');
    assert.match(await page.locator(`#${errorId}`).innerText(), /ustawia tylko Allegro/);
    assert.match(await page.locator('main .error[role="alert"]').innerText(), /popraw zaznaczone pola/);
    await ctx.shot('form-error');
    await page.goto('/settings/statuses');
    assert.deepEqual(await mappingRow(page, 'PL', 'Wysłane'), ['Wysłane', 'Wysłane (SENT)', 'domyślne']);
  });

  step('the admin changes a mapping and sees it saved', async () => {
    const { page } = ctx;
    await page.goto('/settings/statuses/PL');
    await mappingSelect(page, 'Wysłane').selectOption('PICKED_UP');
    await mappingSelect(page, 'Gotowe do wysyłki').selectOption('');
    await submit(page, 'Zapisz');
    assert.equal(new URL(page.url()).pathname, '/settings/statuses');
    assert.equal(await flash(page), 'Zapisano mapowanie statusów konta PL.');
    assert.deepEqual(await mappingRow(page, 'PL', 'Wysłane'), ['Wysłane', 'Odebrane (PICKED_UP)', 'własne']);
    assert.deepEqual(await mappingRow(page, 'PL', 'Gotowe do wysyłki'),
                     ['Gotowe do wysyłki', 'nie wysyła (zmiana tylko w Nadajniku)', 'własne']);
    await page.goto('/settings/statuses/PL');
    assert.equal(await mappingSelect(page, 'Wysłane').inputValue(), 'PICKED_UP');
    await ctx.shot('saved');
  });

  step('a packer cannot open the statuses page', async () => {
    const { page } = ctx;
    await logOut(page);
    await logIn(page, PACKER.username, PACKER.password);
    assert.deepEqual(await page.locator('header nav a').allInnerTexts(), ['Zamówienia', 'Źródła']);
    for (const path of ['/settings/statuses', '/settings/statuses/PL', '/admin/users']) {
      const response = await page.goto(path);
      assert.equal(response.status(), 403, path);
      assert.equal(await page.locator('main h1').innerText(), 'Brak dostępu');
    }
  });

  step('the admin makes the packer an admin, and the packer sees the admin pages at once', async () => {
    // The admin in a second browser profile, so the packer's session stays open in the first.
    const { context: admin, page } = await newSession(ctx.browser, ctx.nadajnik.base);
    try {
      await logIn(page, ADMIN.username, ADMIN.password);
      await Promise.all([page.waitForNavigation(), page.click('header nav a:has-text("Użytkownicy")')]);
      await Promise.all([page.waitForNavigation(),
                         page.click(`#user-${PACKER.username} a:has-text("Zarządzaj")`)]);
      await page.selectOption('select[name="role"]', 'admin');
      await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Zmień rolę")')]);
      assert.equal(new URL(page.url()).pathname, '/admin/users');
      assert.equal(await flash(page), `Zapisano: ${PACKER.username} ma teraz rolę administrator.`);
      assert.match(await page.locator(`#user-${PACKER.username}`).innerText(), /administrator/);
      await screenshot(page, ctx.name, 'users');

      // The admin can't demote themself: the refusal stands next to the role field.
      await page.goto('/admin/users');
      await Promise.all([page.waitForNavigation(),
                         page.click(`#user-${ADMIN.username} a:has-text("Zarządzaj")`)]);
      await page.selectOption('select[name="role"]', 'packer');
      await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Zmień rolę")')]);
      assert.equal(await page.locator('select[name="role"]').getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('[data-field="role"]').innerText(),
                   /Nie możesz odebrać sobie roli administratora/);
    } finally {
      await admin.close();
    }
    // The packer's own session, unchanged, now has the admin's menu.
    await ctx.page.goto('/settings/statuses');
    assert.equal(await ctx.page.locator('main h1').innerText(), 'Ustawienia › Statusy');
    assert.ok((await ctx.page.locator('header nav a').allInnerTexts()).includes('Statusy'));
  });
});

