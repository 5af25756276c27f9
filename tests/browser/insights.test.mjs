// The owner opens the figures: charts drawn on the server (bars and points counted), in Dutch
// and English, usable on a phone; a table's CSV download has the rows the page shows, and the
// API's CSV has the rows of its JSON.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startKept, launchChromium, PASSWORD } from "./kept.mjs";

let kept, browser;

before(async () => {
  kept = await startKept();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
});

async function call(path, { token, body } = {}) {
  const response = await fetch(`${kept.base}${path}`, {
    method: body ? "POST" : "GET",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return response;
}

/// The number of marks of a kind in a figure's chart.
const marks = (page, figure, kind) => page.locator(`#figure-${figure} svg .${kind}`).count();

test("the owner reads this week's figures as charts and tables, and takes them along as CSV", async () => {
  const token = kept.token("sanne@fiets.test");
  for (const phone of ["0612345678", "0687654321"]) {
    const request = await (await call("/api/v1/callback-requests", { body: { phone, name: "Jan", window: "asap" } })).json();
    await call(`/api/v1/callback-requests/${request.id}/outcome`, { token, body: { outcome: "reached" } });
  }
  await call("/api/v1/callback-requests", { body: { phone: "0611112222", name: "Piet", window: "asap" } });

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${kept.base}/login?lang=nl`);
  await page.fill("#email", "olga@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);

  for (const [lang, title, kind] of [["nl", "Cijfers", "Terugbellen"], ["en", "Figures", "Call back"]]) {
    await page.goto(`${kept.base}/staff/insights?period=this_week&lang=${lang}`);
    assert.equal(await page.locator("h1").textContent(), title);
    // Kept % over time: today's point only (two kept, one still open); the callback speed in
    // six buckets. Nothing was broken and nobody answered a survey: no bars of broken promises
    // and no satisfaction lines, only their tables.
    assert.equal(await marks(page, "over_time", "point"), 1);
    assert.equal(await marks(page, "callback_speed", "bar"), 6);
    assert.equal(await marks(page, "kinds", "bar"), 0);
    assert.equal(await page.locator("#figure-satisfaction svg").count(), 0);
    assert.equal(await page.locator("#figure-satisfaction tbody tr").count() > 0, true);
    const row = page.locator("#figure-kinds tbody tr").first();
    assert.equal(await row.locator("td").first().textContent(), kind);
    assert.deepEqual(await row.locator("td").evaluateAll((cells) => cells.slice(1, 5).map((c) => c.textContent)),
      ["3", "2", "0", "1"]);
  }

  // The table's CSV (in the page's language, English here): its header and the same rows.
  const href = await page.locator("#figure-kinds a.csv").getAttribute("href");
  const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "Kind of promise,Made,Kept,Broken,Open,Kept %,Median (min),P90 (min)");
  assert.equal(lines.length - 1, await page.locator("#figure-kinds tbody tr").count());
  assert.match(lines[1], /^Call back,3,2,0,1,100\.0,/);

  // The API: the CSV has the JSON's rows, field by field.
  const from = await page.locator("#custom-period #from").inputValue();
  const to = await page.locator("#custom-period #to").inputValue();
  const owner = kept.token("olga@fiets.test");
  const query = `/api/v1/insights?from=${from}&to=${to}&group_by=kind`;
  const json = await (await call(query, { token: owner })).json();
  const [head, ...rows] = (await (await call(`${query}&format=csv`, { token: owner })).text()).trim().split("\n");
  const fields = head.split(",");
  assert.equal(rows.length, json.groups.length);
  rows.forEach((line, i) => {
    line.split(",").forEach((value, j) => {
      const expected = json.groups[i][fields[j]];
      assert.equal(value, expected === null ? "" : typeof expected === "number" && fields[j] === "kept_pct" ? expected.toFixed(1) : String(expected));
    });
  });

  // On a phone the page fits the screen, charts included.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
  await phone.goto(`${kept.base}/staff/insights?period=this_week&lang=nl`);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page fits a phone (${wide}px)`);
});
