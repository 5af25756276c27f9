// A customer opens their own page of an e-mail they sent (the link kept gives for it) on a
// phone: it says who answers by when; the agent's reply appears on it without a reload; the
// same page in English for an English browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startKept, launchChromium, startMailSink } from "./kept.mjs";

let kept, browser, smtp;

before(async () => {
  smtp = await startMailSink();
  kept = await startKept({ config: `smtp_url = "${smtp.url}"\nmail_from = "Fietsenmaker <kept@fiets.test>"\n` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
  await smtp?.close();
});

async function api(method, path, token, body, contentType = "application/json") {
  const response = await fetch(`${kept.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body,
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

test("the customer's page shows the promise and our reply arrives on it without a reload", async () => {
  const token = kept.token("sanne@fiets.test");
  const raw = "From: Jan Jansen <jan.jansen@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Remmen\r\n" +
    "Message-ID: <browser-status-1@example.nl>\r\n\r\nMijn remmen piepen. Kan ik zaterdag langskomen?\r\n";
  const mail = await api("POST", "/api/v1/inbound/email", token, raw, "message/rfc822");
  const conversation = await api("GET", `/api/v1/conversations/${mail.conversation_id}`, token);
  const page = `${kept.base}${new URL(conversation.status_url).pathname}`;

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "nl-NL" })).newPage();
  await phone.clock.install();
  await phone.goto(page);
  assert.equal(await phone.locator("h1").textContent(), "Uw vraag");
  assert.match(await phone.locator("#promise").textContent(), /antwoord(t|en) u uiterlijk vandaag om \d\d:\d\d\./);
  assert.match(await phone.locator(".asked").textContent(), /Mijn remmen piepen/);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page fits a phone (${wide}px)`);

  await api("POST", `/api/v1/conversations/${mail.conversation_id}/replies`, token,
    JSON.stringify({ text: "Beste Jan,\n\nZaterdag om 10:00 kijken we naar uw remmen. Tot dan!\n\nSanne" }));
  // The page asks again every 20 seconds: the answer shows without a reload.
  await phone.clock.fastForward(21000);
  await phone.locator("#live", { hasText: "Zaterdag om 10:00 kijken we naar uw remmen" }).waitFor({ timeout: 10000 });
  assert.match(await phone.locator(".status-messages li.ours .who").textContent(), /Sanne/);

  const english = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-GB" })).newPage();
  await english.goto(page);
  assert.equal(await english.locator("h1").textContent(), "Your question");
  assert.match(await english.locator("#conversation-heading").textContent(), /The conversation so far/);
});
