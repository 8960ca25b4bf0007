// Browser tests of the console, as a person would use it: headless Chromium (Debian's
// `chromium`, driven by playwright-core; no browser download) against a server that
// run.sh started on a random port over a fresh SQLite database holding the test world.
// Screenshots go to $WJ_ARTIFACTS.
//
// Environment: WJ_URL (the server), WJ_CASE_HZ (a Hangzhou case id), WJ_ARTIFACTS,
// CHROMIUM (the browser binary).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { URL, ARTIFACTS, launch, newPage as open, signIn } from './lib.mjs';

const CASE_HZ = process.env.WJ_CASE_HZ;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// An office screen.
const newPage = () => open(browser);

test('the login page is in Chinese, fits 1366x768 and loads no outside resource', async () => {
  const { context, page, errors } = await newPage();
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${URL}/login`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('h1'), /登录/);
  // The form is entirely within the first screen.
  const box = await page.locator('form.login').boundingBox();
  assert.ok(box && box.y + box.height <= 768, `form bottom at ${box && box.y + box.height}`);
  for (const u of requested) assert.ok(u.startsWith(URL), `no CDN: ${u}`);
  assert.ok(await page.evaluate(() => typeof window.htmx === 'object'), 'htmx loaded from the binary');
  await page.screenshot({ path: `${ARTIFACTS}/login.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password shows an error and no session', async () => {
  const { context, page } = await newPage();
  await page.goto(`${URL}/login`);
  await page.fill('#login', 'hz.officer');
  await page.fill('#password', 'not the password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit].primary')]);
  assert.match(await page.textContent('.error'), /用户名或密码错误/);
  const cookies = await context.cookies();
  assert.ok(!cookies.some((c) => c.name === 'wj_session'));
  await page.screenshot({ path: `${ARTIFACTS}/login-failed.png` });
  await context.close();
});

test('an officer signs in, sees the home page, switches to English and signs out', async () => {
  const { context, page, errors } = await newPage();
  await signIn(page, 'hz.officer');
  assert.equal(new globalThis.URL(page.url()).pathname, '/');
  assert.match(await page.textContent('h1'), /王执法，您好/);
  assert.match(await page.textContent('header.top'), /杭州市市场监督管理局/);
  // The chart of the agency's cases by state is drawn from the store, as SVG.
  assert.ok((await page.locator('#cases-by-state svg rect').count()) >= 1, 'a bar per state');
  assert.equal(await page.locator('.notice').count(), 0, 'the database is attached');
  const session = (await context.cookies()).find((c) => c.name === 'wj_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict');
  await page.screenshot({ path: `${ARTIFACTS}/home-zh.png` });

  await Promise.all([page.waitForNavigation(), page.click('header.top button[lang=en]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Hello, 王执法/);
  await page.screenshot({ path: `${ARTIFACTS}/home-en.png` });

  await Promise.all([page.waitForNavigation(), page.click('header.top form[action="/logout"] button')]);
  assert.equal(new globalThis.URL(page.url()).pathname, '/login');
  const resp = await page.request.get(`${URL}/api/v1/me`);
  assert.equal(resp.status(), 401, 'the session is gone on the server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a platform user cannot open a case page; an officer of its agency sees it', async () => {
  assert.ok(CASE_HZ, 'WJ_CASE_HZ is set');
  const platform = await newPage();
  await signIn(platform.page, 'plata.operator');
  const denied = await platform.page.goto(`${URL}/cases/${CASE_HZ}`);
  assert.equal(denied.status(), 404);
  const deniedHtml = await platform.page.content();
  assert.ok(!deniedHtml.includes('销售假冒注册商标的商品'), 'nothing of the case leaks');
  await platform.page.screenshot({ path: `${ARTIFACTS}/case-denied-platform.png` });
  const unknown = await platform.page.goto(`${URL}/cases/00000000-0000-7000-8000-000000000000`);
  assert.equal(unknown.status(), 404);
  assert.equal(await platform.page.content(), deniedHtml, 'forbidden and unknown pages are the same');
  const api = await platform.page.request.get(`${URL}/api/v1/cases/${CASE_HZ}`);
  assert.equal(api.status(), 404);
  await platform.context.close();

  const officer = await newPage();
  await signIn(officer.page, 'hz.officer');
  const ok = await officer.page.goto(`${URL}/cases/${CASE_HZ}`);
  assert.equal(ok.status(), 200);
  assert.match(await officer.page.textContent('h1'), /销售假冒注册商标的商品/);
  assert.match(await officer.page.textContent('#deadlines'), /线索核查/);
  assert.match(await officer.page.textContent('#timeline'), /case\.register/);
  assert.ok(await officer.page.locator('#actions li[data-action=start_verification]').count() === 1);
  await officer.page.screenshot({ path: `${ARTIFACTS}/case-officer.png`, fullPage: true });
  assert.deepEqual(officer.errors, []);
  await officer.context.close();
});

test('an officer and a supervisor move a case two steps and see them in the timeline', async () => {
  const officer = await newPage();
  await signIn(officer.page, 'hz.officer');
  await officer.page.goto(`${URL}/cases/${CASE_HZ}`);
  await Promise.all([
    officer.page.waitForNavigation(),
    officer.page.click('#actions li[data-action=start_verification] button'),
  ]);
  assert.match(await officer.page.textContent('.badge'), /核查/);
  assert.match(await officer.page.textContent('#timeline'), /case\.start_verification/);
  assert.match(await officer.page.textContent('dl.facts'), /核查人\s*王执法/);
  // The officer may not decline (a supervisor's decision): no form for it.
  assert.equal(await officer.page.locator('#actions li[data-action=decline] form').count(), 0);
  await officer.context.close();

  const chief = await newPage();
  await signIn(chief.page, 'hz.supervisor');
  await chief.page.goto(`${URL}/cases/${CASE_HZ}`);
  // Submitting without the reason is stopped by the browser (required field).
  await chief.page.fill('#actions li[data-action=decline] input[name=reason]', '经核查，证据不足');
  await Promise.all([
    chief.page.waitForNavigation(),
    chief.page.click('#actions li[data-action=decline] button'),
  ]);
  assert.match(await chief.page.textContent('.badge'), /不予立案/);
  const timeline = await chief.page.textContent('#timeline');
  assert.match(timeline, /王执法/);
  assert.match(timeline, /赵科长/);
  assert.match(timeline, /case\.decline/);
  await chief.page.screenshot({ path: `${ARTIFACTS}/case-two-steps.png`, fullPage: true });
  assert.deepEqual(chief.errors, []);
  await chief.context.close();
});

test('an officer opens a lead from the queue, sees the highlighted spans and registers a case', async () => {
  const { context, page, errors } = await newPage();
  await signIn(page, 'hz.officer');
  await Promise.all([page.waitForNavigation(), page.click('header.top nav a[href="/leads"]')]);
  assert.match(await page.textContent('h1'), /线索/);
  // The seller's markup is shown as text, never run.
  const row = page.locator('#queue tbody tr', { hasText: '<script>alert(1)</script>' });
  assert.equal(await row.count(), 1, 'the scanned lead is in the queue, its title escaped');
  assert.match(await row.textContent(), /高/);
  await page.screenshot({ path: `${ARTIFACTS}/leads-queue.png`, fullPage: true });
  // Filter by reason: the lead stays; by another platform's id: it goes.
  await page.selectOption('form.filters select[name=reason]', 'counterfeit_term');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  assert.equal(await page.locator('#queue tbody tr', { hasText: 'A货' }).count(), 1);

  await Promise.all([
    page.waitForNavigation(),
    page.locator('#queue tbody tr', { hasText: 'A货' }).locator('a.lead-link').click(),
  ]);
  assert.ok(new globalThis.URL(page.url()).pathname.startsWith('/leads/'));
  const title = page.locator('#listing dd[data-field=title]');
  const marked = await title.locator('mark').allTextContents();
  assert.ok(marked.some((m) => m.startsWith('高仿')), `高仿 highlighted: ${marked}`);
  assert.ok(marked.some((m) => m.startsWith('耐克')), `the mark highlighted: ${marked}`);
  assert.ok(marked.some((m) => m.startsWith('A货')), `A货 highlighted: ${marked}`);
  // The markup around the spans is text: no <b> or <script> element inside the field.
  assert.equal(await title.locator('b, script').count(), 0);
  assert.match(await title.textContent(), /<b>高仿/);
  // Each reason explained, in Chinese.
  const reasons = await page.textContent('#reasons');
  assert.match(reasons, /假冒暗语/);
  assert.match(reasons, /商标/);
  await page.screenshot({ path: `${ARTIFACTS}/lead-highlighted.png`, fullPage: true });

  await page.fill('#lead-actions input[name=title]', '涉嫌销售假冒耐克运动鞋案');
  await Promise.all([
    page.waitForNavigation(),
    page.click('#lead-actions button[value=register_case]'),
  ]);
  assert.match(await page.textContent('.notice'), /已处理 1 条线索/);
  assert.match(await page.textContent('#state'), /已登记/);
  await Promise.all([page.waitForNavigation(), page.click('#state a.case-link')]);
  assert.match(await page.textContent('h1'), /涉嫌销售假冒耐克运动鞋案/);
  assert.match(await page.textContent('.badge'), /登记/);
  assert.equal(await page.locator('#case-leads a.lead-link').count(), 1, 'the case links its lead');
  await page.screenshot({ path: `${ARTIFACTS}/lead-case-registered.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
