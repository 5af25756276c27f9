// A customer whose conversation was resolved gets "how did it go?" by e-mail, clicks a score
// in it (the page records it by itself), adds a comment; the owner, with the home page open,
// sees the recovery call appear without a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startKept, launchChromium, startMailSink, PASSWORD } from "./kept.mjs";

let kept, browser, smtp;

before(async () => {
  smtp = await startMailSink();
  kept = await startKept({
    config: `smtp_url = "${smtp.url}"\nmail_from = "Fietsenmaker <kept@fiets.test>"\n[surveys]\ndelay_minutes = 0\n`,
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
  await smtp?.close();
});

async function post(path, token, body, contentType = "application/json") {
  const response = await fetch(`${kept.base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body,
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

test("a customer clicks a score in the e-mail, comments, and the owner sees the recovery call", async () => {
  const token = kept.token("sanne@fiets.test");
  const raw = "From: Jan Jansen <jan.jansen@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Band lek\r\n" +
    "Message-ID: <browser-survey-1@example.nl>\r\n\r\nMijn band is alweer lek, de derde keer deze maand.\r\n";
  const mail = await post("/api/v1/inbound/email", token, raw, "message/rfc822");
  await post(`/api/v1/conversations/${mail.conversation_id}/update`, token, JSON.stringify({ status: "resolved" }));

  const owner = await browser.newPage();
  await owner.goto(`${kept.base}/login?lang=en`);
  await owner.fill("#email", "olga@fiets.test");
  await owner.fill("#password", PASSWORD);
  await Promise.all([owner.waitForURL(`${kept.base}/staff`), owner.click("button[type=submit]")]);
  assert.match(await owner.locator("#promise-rows").textContent(), /Nothing open/);

  const question = await smtp.waitFor("jan.jansen@example.nl", (m) => /Hoe ging het/.test(m.subject));
  assert.match(question.text, /Hoe ging uw gesprek met \w+ op \d+ \w+\?/);
  const link = question.html.match(/href="([^"]+\?score=1)"/)[1].replace(/&amp;/g, "&");

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto(link);
  assert.equal(await phone.locator("h1").textContent(), "Hoe ging het?");
  await phone.locator("#saved").waitFor({ state: "visible", timeout: 10000 });
  // A low score: the customer is told who will call, and by when.
  assert.match(await phone.locator("#saved").textContent(), /belt u uiterlijk .+ om \d\d:\d\d/);
  assert.ok(await phone.locator("input[name=score][value='1']").isChecked());
  await phone.fill("#comment", "Na drie keer plakken is de band nog steeds lek.");
  await Promise.all([phone.waitForLoadState(), phone.click("#survey-form button[type=submit]")]);
  assert.equal(await phone.locator("h1").textContent(), "Dank u wel");
  assert.match(await phone.locator("#notice").textContent(), /belt u uiterlijk/);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page fits a phone (${wide}px)`);

  // The owner's open home page shows the recovery call without a reload.
  await owner.locator("#promise-rows", { hasText: "Jan Jansen" }).waitFor({ timeout: 10000 });
  assert.match(await owner.locator("#promise-rows").textContent(), /recovery call/);
  const answers = await browser.newPage({ storageState: await owner.context().storageState() });
  await answers.goto(`${kept.base}/staff/surveys?low=1&lang=en`);
  assert.match(await answers.locator("table.surveys").textContent(), /Na drie keer plakken/);
});
