// The owner runs the team from the browser: invites someone, whose e-mailed link (through a
// real SMTP server) sets their password and logs them in; marks an agent away and back, and
// their conversation follows the stand-in and comes back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { startKept, launchChromium, PASSWORD } from "./kept.mjs";

let kept, browser, smtp;
const mails = [];

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => { mails.push(mail); callback(); }, callback);
    },
  });
  await new Promise((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpUrl = `smtp://127.0.0.1:${smtp.server.address().port}`;
  kept = await startKept({ config: `smtp_url = "${smtpUrl}"\nmail_from = "Fietsenmaker <kept@fiets.test>"\n` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
  await new Promise((resolve) => smtp?.close(resolve));
});

async function logIn(page, email, password = PASSWORD) {
  await page.goto(`${kept.base}/login?lang=en`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);
}

async function mailTo(address) {
  for (let i = 0; i < 100; i++) {
    const mail = mails.find((m) => m.to.value.some((to) => to.address === address));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no e-mail to ${address}`);
}

test("the owner invites an agent and the e-mailed link sets the password and logs them in", async () => {
  const owner = await browser.newPage();
  await logIn(owner, "olga@fiets.test");
  await Promise.all([owner.waitForURL(`${kept.base}/staff/team`), owner.click("a[href='/staff/team']")]);
  await owner.fill("#invite-name", "Piet Bakker");
  await owner.fill("#invite-email", "piet@fiets.test");
  await owner.selectOption("#invite-lang", "en");
  await owner.click("#invite button[type=submit]");
  assert.match(await owner.locator("#notice").textContent(), /Invitation sent to Piet Bakker/);
  assert.match(await owner.locator("tr[data-staff='piet@fiets.test']").textContent(), /Invited, no password yet/);

  const mail = await mailTo("piet@fiets.test");
  assert.match(mail.subject, /^Welcome to /);
  const link = mail.text.match(/https?:\/\/\S+\/password\/[\w-]+/)[0];
  assert.ok(link.startsWith(kept.base), `${link} points at this kept`);

  const piet = await (await browser.newContext()).newPage();
  await piet.goto(link);
  assert.equal(await piet.locator("h1").textContent(), "Welcome, Piet Bakker");
  await piet.fill("#password", "fietsen in de regen");
  await piet.fill("#repeat", "fietsen in de regen");
  await Promise.all([piet.waitForURL(`${kept.base}/staff`), piet.click("button[type=submit]")]);
  assert.equal(await piet.locator("header .who").textContent(), "Piet Bakker");

  // The link worked once; the chosen password logs in from now on.
  await piet.goto(link);
  assert.equal(await piet.locator("h1").textContent(), "This link no longer works");
  const again = await (await browser.newContext()).newPage();
  await logIn(again, "piet@fiets.test", "fietsen in de regen");

  // The team and account pages fit a phone.
  await owner.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/staff/team", "/staff/account"]) {
    await owner.goto(`${kept.base}${path}`);
    const width = await owner.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide`);
  }
});

test("an agent marked away hands their conversation to the stand-in and gets it back", async () => {
  const token = kept.token("olga@fiets.test");
  const sent = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: "chat", external_id: "away-1", from: { handle: "@fatima", name: "Fatima" }, text: "Is my bike ready?" }),
  });
  assert.equal(sent.status, 201);
  const { conversation_id } = await sent.json();
  const conversation = await (await fetch(`${kept.base}/api/v1/conversations/${conversation_id}`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  const holder = conversation.assignee_name;
  assert.ok(["Sanne", "Piet Bakker"].includes(holder), `an agent holds it: ${holder}`);

  const owner = await browser.newPage();
  await logIn(owner, "olga@fiets.test");
  await owner.goto(`${kept.base}/staff/team`);
  await owner.selectOption("#who", { label: holder });
  await owner.selectOption("#stand-in", { label: "Olga" });
  await Promise.all([owner.waitForURL(`${kept.base}/staff/team`), owner.click("button[value='1']:has-text('Mark away')")]);
  assert.match(await owner.locator(`tr:has-text('${holder}')`).first().textContent(), /Away → Olga/);
  await owner.goto(`${kept.base}/staff?view=open`);
  const row = owner.locator("#conversation-rows tr.conversation", { hasText: "Fatima" });
  assert.match(await row.textContent(), /Olga/);

  await owner.goto(`${kept.base}/staff/team`);
  await Promise.all([owner.waitForURL(`${kept.base}/staff/team`), owner.click(`button:has-text('Mark back: ${holder}')`)]);
  await owner.goto(`${kept.base}/staff?view=open`);
  assert.match(await row.textContent(), new RegExp(holder));
});
