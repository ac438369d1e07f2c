// Logging in and out of the panel in a real browser: the form at /login (fields username and
// password), its error, the session cookie that opens /orders, roles in the header, logout.
'use strict';

const assert = require('node:assert/strict');

const { flash, logIn, logOut } = require('../lib/panel');
const { ADMIN, PACKER, suite } = require('../lib/suite');

suite('login', { users: [ADMIN, PACKER] }, (ctx, step) => {
  step('a visit to the panel without a session lands on the login form', async () => {
    const { page } = ctx;
    await page.goto('/orders');
    assert.match(new URL(page.url()).pathname, /^\/login$/);
    assert.equal(await page.locator('main h1').innerText(), 'Logowanie');
    assert.equal(await page.locator('input[name="username"]').count(), 1);
    assert.equal(await page.locator('input[name="password"][type="password"]').count(), 1);
    await ctx.shot('form');
  });

  step('a wrong password is refused with a message and keeps the username', async () => {
    const { page } = ctx;
    await logIn(page, ADMIN.username, 'to-nie-jest-haslo');
    assert.match(new URL(page.url()).pathname, /^\/login$/);
    assert.equal((await page.locator('main .error[role="alert"]').innerText()).trim(),
                 'Nieprawidłowa nazwa użytkownika lub hasło.');
    assert.equal(await page.inputValue('input[name="username"]'), ADMIN.username);
    assert.equal(await page.inputValue('input[name="password"]'), '');
    await ctx.shot('form-error');
  });

  step('the admin logs in and sees the orders with every admin page in the menu', async () => {
    const { page } = ctx;
    await logIn(page, ADMIN.username, ADMIN.password);
    assert.equal(new URL(page.url()).pathname, '/orders');
    assert.match(await page.locator('main h1').innerText(), /^Zamówienia/);
    const nav = await page.locator('header nav a').allInnerTexts();
    assert.deepEqual(nav, ['Zamówienia', 'Źródła', 'Zadania', 'Użytkownicy', 'Przewoźnicy', 'Statusy']);
    assert.match(await page.locator('header .who').innerText(), /^szef \(/);
    assert.equal(await flash(page), '');
    assert.match(await page.locator('main').innerText(), /Brak zamówień/);
    await ctx.shot('orders-empty');
  });

  step('a logged-in visit to /login goes straight to the orders', async () => {
    await ctx.page.goto('/login');
    assert.equal(new URL(ctx.page.url()).pathname, '/orders');
  });

  step('logging out ends the session', async () => {
    const { page } = ctx;
    await logOut(page);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.goto('/sources');
    assert.equal(new URL(page.url()).pathname, '/login');
    const cookies = await ctx.context.cookies();
    assert.equal(cookies.find((c) => c.name === 'nadajnik_session'), undefined);
  });

  step('a packer logs in and sees no admin pages', async () => {
    const { page } = ctx;
    await logIn(page, PACKER.username, PACKER.password);
    assert.equal(new URL(page.url()).pathname, '/orders');
    assert.deepEqual(await page.locator('header nav a').allInnerTexts(), ['Zamówienia', 'Źródła']);
    await page.goto('/jobs');
    assert.equal(await page.locator('main h1').innerText(), 'Brak dostępu');
  });

  step('after logging in, the browser returns to the page it asked for', async () => {
    const { page } = ctx;
    await logOut(page);
    await page.goto('/orders?q=Kowalski');
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.fill('input[name="username"]', ADMIN.username);
    await page.fill('input[name="password"]', ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Zaloguj")')]);
    const url = new URL(page.url());
    assert.equal(`${url.pathname}${url.search}`, '/orders?q=Kowalski');
  });

  step('a wrong password keeps the page asked for, and a foreign next is ignored', async () => {
    const { page } = ctx;
    const submit = async (password) => {
      await page.fill('input[name="username"]', ADMIN.username);
      await page.fill('input[name="password"]', password);
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Zaloguj")')]);
    };
    const origin = new URL(page.url()).origin;
    await logOut(page);
    await page.goto('/orders?attention=1');
    await submit('to-nie-jest-haslo');
    assert.equal(new URL(page.url()).pathname, '/login');
    await submit(ADMIN.password);
    let url = new URL(page.url());
    assert.equal(`${url.pathname}${url.search}`, '/orders?attention=1');
    await logOut(page);
    await page.goto('/login?next=' + encodeURIComponent('//example.com/x'));
    await submit(ADMIN.password);
    url = new URL(page.url());
    assert.equal(url.origin, origin);
    assert.equal(url.pathname, '/orders');
  });
});
