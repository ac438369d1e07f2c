// The panel in English: "English" in the footer (the nadajnik_lang cookie) switches the admin's
// pages to the catalog web/resources/i18n/en.tsv; every page keeps rendering (no raw "{{").
'use strict';

const assert = require('node:assert/strict');

const { ADMIN, suite } = require('../lib/suite');

// Path -> [the Polish <h1>, the English one].
const PAGES = [
  ['/sources', 'Źródła zamówień', 'Order sources'],
  ['/jobs', 'Zadania w tle', 'Background jobs'],
  ['/admin/users', 'Użytkownicy', 'Users'],
  ['/settings/carriers', 'Ustawienia › Przewoźnicy', 'Settings › Carriers'],
  ['/settings/statuses', 'Ustawienia › Statusy', 'Settings › Statuses'],
  ['/account/password', 'Zmiana hasła', 'Change password'],
];

suite('english', { users: [ADMIN], login: ADMIN }, (ctx, step) => {
  step('"English" in the footer switches the panel to English', async () => {
    const { page } = ctx;
    await Promise.all([page.waitForNavigation(),
                       page.click('footer.language a:has-text("English")')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const cookies = await ctx.context.cookies();
    assert.equal(cookies.find((c) => c.name === 'nadajnik_lang')?.value, 'en');
  });

  for (const [path, polish, english] of PAGES) {
    step(`${path} is in English`, async () => {
      const { page } = ctx;
      const response = await page.goto(path);
      assert.equal(response.status(), 200);
      assert.equal(new URL(page.url()).pathname, path);
      const h1 = (await page.locator('main h1').first().innerText()).trim();
      assert.notEqual(h1, polish);
      assert.equal(h1, english);
      assert.doesNotMatch(await page.content(), /\{\{/);
      await ctx.shot(path.slice(1).replaceAll('/', '-'));
    });
  }
});
