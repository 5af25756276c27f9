// A customer books on /book on a phone, without help from a script; the confirmation with its
// calendar invitation reaches a real SMTP server, and the staff's "expected" board shows the
// booking by name without a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startKept, launchChromium, startMailSink, PASSWORD } from "./kept.mjs";

let kept, browser, smtp;

before(async () => {
  smtp = await startMailSink();
  kept = await startKept({ config: `smtp_url = "${smtp.url}"\nmail_from = "Opticien <kept@optiek.test>"\n` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
  await smtp?.close();
});

async function api(path, body) {
  const response = await fetch(`${kept.base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${kept.token("olga@fiets.test")}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/// Tomorrow in Amsterdam, as YYYY-MM-DD.
function tomorrow() {
  const day = new Date(Date.now() + 24 * 3600 * 1000);
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Amsterdam" }).format(day);
}

test("a customer books on a phone, gets the confirmation, and staff see it at once", async () => {
  const allDay = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, "08:00-20:00"]));
  const location = await api("/api/v1/locations", { name: "Optiek Centrum", address: "Markt 1, Utrecht", hours: allDay });
  await api("/api/v1/services", {
    name_nl: "Oogmeting", name_en: "Eye test", duration_minutes: 30, location_ids: [location.id], min_notice_minutes: 0,
  });
  const day = tomorrow();

  const staff = await browser.newPage();
  await staff.goto(`${kept.base}/login?lang=nl`);
  await staff.fill("#email", "olga@fiets.test");
  await staff.fill("#password", PASSWORD);
  await Promise.all([staff.waitForURL(`${kept.base}/staff`), staff.click("button[type=submit]")]);
  await staff.goto(`${kept.base}/staff/today?date=${day}&lang=nl`);
  assert.match(await staff.locator("#appointment-rows").textContent(), /Geen afspraken/);

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false })).newPage();
  await phone.goto(`${kept.base}/book?lang=nl`);
  assert.equal(await phone.locator("h1").textContent(), "Afspraak maken");
  await phone.fill("#date", day);
  await Promise.all([phone.waitForURL(/date=/), phone.click("#choose-form button[type=submit]")]);
  await phone.locator("input[name=start]").first().check();
  const time = (await phone.locator("label.time").first().textContent()).trim();
  await phone.fill("#name", "Henk Reichardt");
  await phone.fill("#email", "henk@example.nl");
  await phone.fill("#phone", "06 12345678");
  await Promise.all([phone.waitForLoadState(), phone.click("#book-form button[type=submit]")]);
  assert.equal(await phone.locator("h1").textContent(), "Uw afspraak staat");
  assert.match(await phone.locator("#booked").textContent(), new RegExp(`Oogmeting, .* om ${time}`));
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page fits a phone (${wide}px)`);

  const mail = await smtp.waitFor("henk@example.nl");
  assert.match(mail.subject, /^Bevestiging: Oogmeting/);
  assert.match(mail.text, /Beste Henk Reichardt/);
  const invitation = mail.attachments.find((a) => a.contentType.startsWith("text/calendar"));
  assert.ok(invitation, "with a calendar invitation");
  assert.match(invitation.content.toString(), /METHOD:REQUEST/);

  // The board the staff member had open shows the customer by name, without a reload.
  await staff.locator("#appointment-rows", { hasText: "Henk Reichardt" }).waitFor({ timeout: 10000 });
  assert.match(await staff.locator("#appointment-rows").textContent(), new RegExp(`${time}[\\s\\S]*eerste bezoek`));
});
