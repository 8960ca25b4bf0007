// Browser tests of the public portal, the complaints pages, the board and the dashboard:
// a member of the public submits a report with an attachment and tracks it by number; the
// Hangzhou officer finds it (the public's markup shown as text, the contact masked until
// shown, and the showing recorded) and accepts it; the public then reads the new status;
// the coordination office's board and the dashboard render within a 1366x768 screen. Same
// environment as console.test.mjs (run.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { URL, ARTIFACTS, launch, newPage as open, signIn } from './lib.mjs';

const TEXT = '<img src=x onerror=alert(1)>该店铺销售假冒耐克运动鞋，价格明显偏低。';

let browser;
let tracking;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const newPage = () => open(browser);

async function fitsWidth(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 1366, `no horizontal scrolling at 1366 px (page is ${w} px wide)`);
}

async function track(page, number) {
  await page.goto(`${URL}/portal/track`);
  await page.fill('#number', number);
  await Promise.all([page.waitForNavigation(), page.click('form.track-form button[type=submit]')]);
}

test('the public submits a report with an attachment and tracks it by number', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(`${URL}/portal`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.check('input[name=kind][value=report]');
  await page.selectOption('#region', '330100');
  await page.fill('#respondent', '潮鞋店');
  await page.fill('#text', TEXT);
  await page.fill('#links', 'https://plata.example.com/item/1');
  await page.fill('#contact', '王女士 13912345678');
  await page.setInputFiles('#attachments', {
    name: '../../截图.png',
    mimeType: 'image/png',
    buffer: Buffer.from('PNG screenshot bytes'),
  });
  await fitsWidth(page);
  await page.screenshot({ path: `${ARTIFACTS}/portal-form.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('form.portal-form button[type=submit]')]);
  tracking = (await page.textContent('#tracking-number')).trim();
  assert.match(tracking, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  await page.screenshot({ path: `${ARTIFACTS}/portal-receipt.png` });

  // Typed in lower case with spaces: still found.
  await track(page, tracking.toLowerCase().replaceAll('-', ' '));
  assert.match(await page.textContent('#state'), /待受理/);
  await page.screenshot({ path: `${ARTIFACTS}/portal-track.png` });
  assert.deepEqual(errors, []);
  // An unknown number: the 404 page says so (the browser logs the 404 status itself).
  await track(page, '0000-0000-0000-0000');
  assert.match(await page.textContent('.error'), /没有找到/);
  await context.close();
});

test('the Hangzhou officer reads the report as text, accepts it, and the public sees it accepted', async () => {
  assert.ok(tracking, 'the submission test ran first');
  const { context, page, errors } = await newPage();
  await signIn(page, 'hz.officer');
  await page.click('header.top nav a[href="/complaints"]');
  // The list shows neither the tracking number nor the contact.
  const list = await page.textContent('#complaint-list');
  assert.ok(!list.includes(tracking) && !list.includes('13912345678'), list);
  await page.click('#complaint-list a:has-text("该店铺销售假冒")');
  assert.equal(await page.textContent('#complaint-text'), TEXT, 'markup shown as text');
  assert.ok(!(await page.textContent('main')).includes(tracking), 'no tracking number');
  // The contact is masked until the officer shows it; showing it is recorded.
  assert.equal((await page.textContent('#contact')).trim().split(/\s/)[0], '王***5678');
  await Promise.all([page.waitForNavigation(), page.click('#show-contact')]);
  assert.match(await page.textContent('#contact'), /王女士 13912345678/);
  assert.match(await page.textContent('#trail'), /complaint\.read_contact/);
  assert.equal(await page.locator('#complaint-text img').count(), 0);
  assert.match(await page.textContent('main'), /截图\.png/);
  await fitsWidth(page);
  await page.screenshot({ path: `${ARTIFACTS}/complaint.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('#accept')]);
  assert.match(await page.textContent('#state'), /已受理/);
  assert.match(await page.textContent('#trail'), /complaint\.accept/);
  assert.deepEqual(errors, []);
  await context.close();

  const pub = await newPage();
  await track(pub.page, tracking);
  assert.match(await pub.page.textContent('#state'), /已受理/);
  await pub.context.close();
});

test('the coordination office sees its board and the dashboard draws its charts', async () => {
  const { context, page, errors } = await newPage();
  await signIn(page, 'zjoffice.supervisor');
  await page.click('header.top nav a[href="/board"]');
  assert.match(await page.textContent('h1'), /督办看板/);
  assert.equal(await page.locator('#supervision-orders').count(), 1);
  await fitsWidth(page);
  await page.screenshot({ path: `${ARTIFACTS}/board.png`, fullPage: true });
  await page.click('header.top nav a[href="/dashboard"]');
  assert.equal(await page.locator('#leads-per-day svg').count(), 1);
  assert.equal(await page.locator('#cases-by-state svg').count(), 1);
  assert.equal(await page.locator('#overdue-by-agency svg').count(), 1);
  await fitsWidth(page);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
