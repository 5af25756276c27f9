// A customer asks to be called back; a logged-in agent sees it appear without reloading.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
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

test("a submitted callback request appears live on the staff dashboard", async () => {
  const staff = await browser.newPage();
  await staff.goto(`${kept.base}/login?lang=en`);
  await staff.fill("#email", "sanne@fiets.test");
  await staff.fill("#password", PASSWORD);
  await Promise.all([staff.waitForURL(`${kept.base}/staff`), staff.click("button[type=submit]")]);
  await staff.locator("#rows").getByText("Nobody is waiting.").waitFor();
  // Marks this page load; a reload would wipe it.
  await staff.evaluate(() => { window.keptMarker = "still the same page"; });

  const customer = await (await browser.newContext({ locale: "en-GB" })).newPage();
  await customer.goto(`${kept.base}/callback`);
  assert.equal(await customer.locator("h1").textContent(), "Call me back");
  await customer.fill("#phone", "12");
  await customer.click("button[type=submit]");
  await customer.getByText("This is not a valid phone number").waitFor();
  await customer.fill("#phone", "06 12345678");
  await customer.fill("#name", "Jan Jansen");
  await customer.check("input[name=window][value=office]");
  await customer.fill("#note", "My bike is not ready yet");
  await customer.click("button[type=submit]");
  const confirmation = await customer.locator("#confirmation").textContent();
  assert.match(confirmation, /^We will call you (today|tomorrow|on \w+ \d+ \w+) (before|between)/);

  const row = staff.locator("#rows tr.callback", { hasText: "Jan Jansen" });
  await row.waitFor({ timeout: 15000 });
  assert.equal(await row.locator("a.tel").getAttribute("href"), "tel:+31612345678");
  // "45m", "2h 10m" — or after closing time or at a weekend, when the office window is the next
  // working day, "1 day 0h" or "3 days": a countdown in any case, whatever the hour the suite
  // runs at.
  assert.match(await row.locator(".countdown").textContent(), /^(\d+ days|1 day \d+h|(\d+h )?\d+m)$/);
  assert.equal(await staff.evaluate(() => window.keptMarker), "still the same page");

  // The agent records the outcome and the request leaves the list.
  await row.locator("a", { hasText: "Jan Jansen" }).click();
  await staff.fill("#outcome-note", "Bike ready on Friday");
  await Promise.all([staff.waitForURL(`${kept.base}/staff`), staff.click("button[value=reached]")]);
  await staff.locator("#rows").getByText("Nobody is waiting.").waitFor();
});

test("every staff page fits a 390 px wide phone without sideways scrolling", async () => {
  const token = kept.token("sanne@fiets.test");
  const sent = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: "whatsapp", external_id: "w-1", from: { handle: "+31612345678", name: "Jan Jansen" },
      text: "Is mijn fiets al klaar? Ik wacht al een week en niemand belt terug, dit is echt heel vervelend." }),
  });
  assert.equal(sent.status, 201);
  const { conversation_id, customer_id } = await sent.json();
  const asked = await fetch(`${kept.base}/api/v1/callback-requests`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ phone: "0201234567", name: "Fatima el Amrani", note: "Vraag over mijn factuur van vorige maand" }),
  });
  assert.equal(asked.status, 201);
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "nl-NL" })).newPage();
  await phone.goto(`${kept.base}/login`);
  await phone.fill("#email", "sanne@fiets.test");
  await phone.fill("#password", PASSWORD);
  await Promise.all([phone.waitForURL(`${kept.base}/staff`), phone.click("button[type=submit]")]);
  const callback = await phone.locator("#rows tr.callback a").first().getAttribute("href");
  // Neither the page nor anything on it (a chart, a table) scrolls sideways.
  const fits = async (page, path) => {
    await page.goto(`${kept.base}${path}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide`);
    const inner = await page.evaluate(() => [...document.querySelectorAll(".chart, table, svg")]
      .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > 391)
      .map((e) => `${e.tagName}.${e.className.baseVal ?? e.className}`));
    assert.deepEqual(inner, [], `${path}: wider than the phone inside`);
  };
  for (const path of ["/staff", callback, `/staff/conversations/${conversation_id}`, `/staff/customers/${customer_id}`,
    "/staff/team", "/staff/search?q=fiets", "/staff/account", `/staff/customers/${customer_id}/merge?q=fatima`,
    "/staff/today", "/staff/insights", "/staff/surveys", "/staff/contracts", "/staff/contracts?done=1"]) {
    await fits(phone, path);
  }
  // The owner's pages too: the whole team's figures, the settings, what went out.
  const owners = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "nl-NL" })).newPage();
  await owners.goto(`${kept.base}/login`);
  await owners.fill("#email", "olga@fiets.test");
  await owners.fill("#password", PASSWORD);
  await Promise.all([owners.waitForURL(`${kept.base}/staff`), owners.click("button[type=submit]")]);
  for (const path of ["/staff/insights", "/staff/settings", "/staff/deliveries", "/staff/booking"]) {
    await fits(owners, path);
  }
  // The call button is big enough for a thumb.
  await phone.goto(`${kept.base}/staff`);
  const call = await phone.locator("#rows a.tel").first().boundingBox();
  assert.ok(call.height >= 40, `the call button is ${call.height} px high`);
});

test("the owner changes the opening hours on the settings page and the next callback follows them", async () => {
  const owner = await browser.newPage();
  await owner.goto(`${kept.base}/login?lang=en`);
  await owner.fill("#email", "olga@fiets.test");
  await owner.fill("#password", PASSWORD);
  await Promise.all([owner.waitForURL(`${kept.base}/staff`), owner.click("button[type=submit]")]);
  await Promise.all([owner.waitForURL(`${kept.base}/staff/settings`), owner.click("a[href='/staff/settings']")]);
  for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) await owner.fill(`#hours-${day}`, "10:00-11:00");
  await Promise.all([owner.waitForURL(/\/staff\/settings\?saved=1$/), owner.click("form.settings button[type=submit]")]);
  await owner.locator("#saved").waitFor();
  assert.match(await owner.locator(".history").textContent(), /Opening hours Monday/);

  // "During office hours" is now due at 11:00, whatever day it is, without a restart.
  const asked = await fetch(`${kept.base}/api/v1/callback-requests`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ phone: "0612345670", window: "office" }),
  });
  assert.equal(asked.status, 201);
  const { due_at } = await asked.json();
  const local = new Date(due_at).toLocaleTimeString("nl-NL", { timeZone: "Europe/Amsterdam", hour: "2-digit", minute: "2-digit" });
  assert.equal(local, "11:00");

  // The settings page, too, fits a phone.
  await owner.setViewportSize({ width: 390, height: 844 });
  await owner.goto(`${kept.base}/staff/settings`);
  const width = await owner.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `/staff/settings is ${width} px wide`);
});

test("the form inside a business's own page on a phone grows to fit, errors and button included", async () => {
  // The business's page, on another origin, with the snippet from docs/first-day.md.
  const host = createServer((request, response) => {
    response.setHeader("Content-Type", "text/html; charset=utf-8");
    response.end(`<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">
      <h1>Fietsenmaker</h1>
      <iframe id="kept-form" src="${kept.base}/callback?embed=1&lang=nl" title="Bel mij terug"
              style="width:100%;max-width:32rem;height:40rem;border:0"></iframe>
      <script>
      addEventListener("message", (e) => {
        if (e.origin === "${kept.base}" && e.data && e.data.kept === "height")
          document.getElementById("kept-form").style.height = e.data.height + "px";
      });
      </script>`);
  });
  await new Promise((resolve) => host.listen(0, "127.0.0.1", resolve));
  try {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 700 } })).newPage();
    await page.goto(`http://127.0.0.1:${host.address().port}/`);
    const frame = page.frameLocator("#kept-form");
    await frame.locator("#phone").waitFor();
    // Sent without a phone number: the errors appear above the fields.
    await frame.locator("#callback-form button[type=submit]").click();
    await frame.locator(".error").first().waitFor();
    const fitted = async () => {
      const outer = await page.locator("#kept-form").evaluate((f) => f.getBoundingClientRect().height);
      const inner = await frame.locator("html").evaluate((d) => d.scrollHeight);
      return { outer, inner };
    };
    let size = await fitted();
    for (let i = 0; i < 20 && size.outer < size.inner; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      size = await fitted();
    }
    assert.ok(size.outer >= size.inner, `the frame is ${size.outer} px for a form of ${size.inner} px`);
    assert.ok(size.inner > 0);
    // The button is inside the frame's box: reachable by scrolling the page, not cut off.
    const button = await frame.locator("#callback-form button[type=submit]").boundingBox();
    const box = await page.locator("#kept-form").boundingBox();
    assert.ok(button.y + button.height <= box.y + box.height + 1, "the button is not cut off");
  } finally {
    host.close();
  }
});
