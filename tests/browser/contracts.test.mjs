// The owner imports a contracts file as Dutch Excel saves it (semicolons, Windows-1252,
// 31-03-2027, 1.200,50, a quoted field with a line break): the page shows what the import will
// do and which line it skips and why, nothing changes until the owner confirms, and on a
// phone nothing is cut off.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startKept, launchChromium, PASSWORD } from "./kept.mjs";

const EXCEL = fileURLToPath(new URL("../../crates/kept/tests/fixtures/csv/excel-nl-cp1252.csv", import.meta.url));
let kept, browser;

before(async () => {
  kept = await startKept();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
});

test("a Dutch Excel file imports through the preview, on a phone", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${kept.base}/login`);
  await page.fill("#email", "olga@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.press("#password", "Enter")]);
  await page.goto(`${kept.base}/staff/contracts`);
  await page.setInputFiles("#file", EXCEL);
  await Promise.all([page.waitForURL(`${kept.base}/staff/contracts/import`), page.click("#import button[type=submit]")]);

  assert.equal(await page.locator("#import-summary").textContent(), "3 new · 0 updated · 0 unchanged · 1 skipped");
  const skipped = await page.locator("#skipped").textContent();
  assert.match(skipped, /6\s*customer_email\s*customer_email is not an e-mail address/);
  const changes = await page.locator("#changes").textContent();
  assert.match(changes, /Café De Hoek/, "Windows-1252 read as such");
  assert.match(changes, /Renée de Vries/);
  assert.match(changes, /31 March 2027/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the preview fits a phone (${wide} px wide)`);

  // Nothing is taken before the owner confirms.
  const api = await fetch(`${kept.base}/api/v1/contracts`, { headers: { authorization: `Bearer ${kept.token("olga@fiets.test")}` } });
  assert.deepEqual(await api.json(), []);

  await Promise.all([page.waitForURL(/\/staff\/contracts\?all=1/), page.click("#confirm-import button[type=submit]")]);
  assert.equal(await page.locator("#notice").textContent(), "Imported: 3 new, 0 updated, 0 unchanged, 1 skipped.");
  const list = await page.locator("table.contracts").textContent();
  assert.match(list, /Renée de Vries/);
  assert.match(list, /€1,200\.50/);
  await context.close();
});
