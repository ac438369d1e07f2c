// One browser test file = one suite on its own stack (sandbox + nadajnik + chromium), built on
// node:test. Steps run in order and share the stack and the logged-in page; a failing step saves
// a screenshot of where the browser was, and the stack is torn down whatever happened (its logs
// printed and its temp folder kept when anything failed).
//
//   suite('orders', { orders: 30, users: [ADMIN], setup: async (ctx) => {...} }, (ctx, step) => {
//     step('opens an order', async () => { await ctx.page.goto('/orders'); ... });
//   });
'use strict';

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');

const { clearScreenshots, launchBrowser, newSession, screenshot, takeProblems } =
  require('./browser');
const { logIn } = require('./panel');
const { Stack } = require('./stack');

const ADMIN = { username: 'szef', password: 'Admin-Haslo-2026!', role: 'admin' };
const PACKER = { username: 'ola', password: 'Pakowacz-Haslo-77', role: 'packer' };

// ctx: { name, stack, sandbox, nadajnik, browser, context, page, shot(name) }.
// options: orders (the sandbox's initial paid orders), users (added by the CLI before start),
// env (nadajnik's), sandboxArgs, login (a user to log the page in as), setup(ctx).
function suite(name, options, body) {
  const ctx = { name, failed: false };
  ctx.shot = (shotName) => screenshot(ctx.page, name, shotName);

  describe(name, () => {
    before(async () => {
      try {
        clearScreenshots(name);
        ctx.stack = new Stack(name);
        ctx.sandbox = ctx.stack.sandbox;
        ctx.nadajnik = ctx.stack.nadajnik;
        await ctx.stack.start({
          orders: options.orders || 0,
          users: options.users || [ADMIN],
          env: options.env || {},
          sandboxArgs: options.sandboxArgs || [],
        });
        ctx.browser = await launchBrowser();
        Object.assign(ctx, await newSession(ctx.browser, ctx.nadajnik.base));
        if (options.setup) await options.setup(ctx);
        if (options.login) {
          await logIn(ctx.page, options.login.username, options.login.password);
          assert.match(ctx.page.url(), /\/orders$/, 'logged in');
        }
      } catch (e) {
        ctx.failed = true;
        throw e;
      }
    });

    after(async () => {
      if (ctx.browser) await ctx.browser.close().catch(() => {});
      const reports = ctx.stack ? await ctx.stack.stop({ failed: ctx.failed }) : [];
      assert.deepEqual(reports, [], 'no sanitizer errors in nadajnik or the sandbox');
    });

    // A step fails on its own error and also on any dialog, page error or CSP refusal seen on the
    // pages it visited.
    const step = (title, fn, stepOptions = {}) => it(title, { timeout: 120000, ...stepOptions },
      async () => {
        if (ctx.failed) {
          // The steps build on each other: after a failure the rest would only repeat it.
          throw new Error('skipped: an earlier step of this suite failed');
        }
        if (ctx.page) takeProblems(ctx.page);
        try {
          await fn();
          assert.deepEqual(takeProblems(ctx.page), [], 'no dialogs, page errors or CSP refusals');
        } catch (e) {
          if (!stepOptions.todo) ctx.failed = true;
          if (ctx.page) {
            await screenshot(ctx.page, name, `${stepOptions.todo ? 'TODO' : 'FAILED'}-${title}`)
              .catch(() => {});
            e.message += `\n(browser at ${ctx.page.url()})`;
          }
          throw e;
        }
      });

    body(ctx, step);
  });
}

module.exports = { ADMIN, PACKER, suite };
