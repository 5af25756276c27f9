// An agent answers a customer's chat message from the inbox; the tone check speaks up while
// typing, the reply goes out on the channel's webhook and the reply promise is kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startKept, launchChromium, PASSWORD } from "./kept.mjs";

let kept, browser, hooks;
const received = [];

before(async () => {
  hooks = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => { received.push(JSON.parse(body)); response.end("ok"); });
  });
  await new Promise((resolve) => hooks.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${hooks.address().port}/chat`;
  kept = await startKept({ config: `webhook_secret = "browser-test"\n[channel_webhooks]\nchat = "${hookUrl}"\n` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await kept?.stop();
  hooks?.close();
});

/// A chat message from a customer, as a channel's webhook posts it; kept's answer (ids).
async function chatFrom(externalId, handle, name, text) {
  const response = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${kept.token("sanne@fiets.test")}` },
    body: JSON.stringify({ channel: "chat", external_id: externalId, from: { handle, name }, text }),
  });
  assert.equal(response.status, 201);
  return response.json();
}

/// A new page logged in as Sanne, in `lang`.
async function sannesPage(lang) {
  const page = await browser.newPage();
  await page.goto(`${kept.base}/login?lang=${lang}`);
  await page.fill("#email", "sanne@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);
  return page;
}

test("an agent answers a frustrated customer from the inbox and the promise is kept", async () => {
  const token = kept.token("sanne@fiets.test");
  const inbound = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      channel: "chat", external_id: "chat-1", from: { handle: "@jan", name: "Jan Jansen" },
      text: "I have been waiting a week for my bike, this is ridiculous! Nobody answers.",
    }),
  });
  assert.equal(inbound.status, 201);

  const page = await browser.newPage();
  await page.goto(`${kept.base}/login?lang=en`);
  await page.fill("#email", "sanne@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);
  const row = page.locator("#conversation-rows tr.conversation", { hasText: "Jan Jansen" });
  await row.waitFor();
  assert.match(await row.textContent(), /frustrated/);

  await Promise.all([page.waitForURL(/\/staff\/conversations\//), row.locator("a").click()]);
  assert.match(await page.locator("#promise-status").textContent(), /open/);

  // A careless draft: the tone check explains what is wrong while the agent types.
  await page.locator("#reply-text").pressSequentially("Dear customer, that is not our fault.");
  const findings = page.locator("#tone-findings li");
  await page.locator("#tone-findings li[data-rule=generic_greeting]").waitFor();
  assert.ok((await findings.count()) >= 2, "greeting and blame");
  // The suggestion greets the customer by name.
  assert.match(await page.locator("#tone-findings").textContent(), /Dear Jan Jansen,/);
  // "Not a problem here" leaves a finding out from then on; the other one stays.
  await page.locator("#tone-findings li[data-rule=blames_customer] button.not-a-problem").click();
  await page.locator("#tone-findings li[data-rule=blames_customer]").waitFor({ state: "detached" });
  assert.equal(await page.locator("#tone-findings li[data-rule=generic_greeting]").count(), 1, "the greeting stays");

  // A better one: the findings go away.
  await page.fill("#reply-text", "");
  await page.locator("#reply-text").pressSequentially(
    "Dear Jan, I understand your frustration about the wait. Your bike is ready on Friday at 14:00 and I will call you then.");
  await page.locator("#tone-ok").waitFor({ state: "visible" });
  assert.equal(await findings.count(), 0);

  // Sending first checks the session, then posts: wait for the page that shows the reply.
  await page.click("#composer button[type=submit]");
  await page.locator(".message.outbound", { hasText: "Your bike is ready on Friday" }).waitFor();
  assert.match(await page.locator("#conversation-status").textContent(), /waiting on customer/);

  // The reply went out on the chat channel's webhook, addressed to the customer's handle.
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 1);
  assert.match(JSON.stringify(received[0]), /Your bike is ready on Friday/);
  assert.match(JSON.stringify(received[0]), /@jan/);
  // Once it has arrived, the page shows it sent and the promise kept.
  let status = "";
  for (let i = 0; i < 50 && !/kept/.test(status); i++) {
    await page.reload();
    status = await page.locator("#promise-status").textContent();
  }
  assert.match(status, /kept/);
  assert.match(await page.locator(".message.outbound .delivery").textContent(), /sent/);

  // Nothing is waiting any more.
  await page.goto(`${kept.base}/staff`);
  await page.locator("#conversation-rows").getByText("No messages are waiting for an answer.").waitFor();
});

test("a new message appears in the inbox without a reload, marked new, and the keys open it", async () => {
  const page = await browser.newPage();
  await page.goto(`${kept.base}/login?lang=en`);
  await page.fill("#email", "sanne@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);
  await page.evaluate(() => { window.keptMarker = "still the same page"; });

  const token = kept.token("olga@fiets.test");
  const inbound = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: "chat", external_id: "live-1", from: { handle: "@fatima", name: "Fatima Live" },
      text: "Can I pick up my bike today?" }),
  });
  assert.equal(inbound.status, 201);
  const row = page.locator("#conversation-rows tr.conversation", { hasText: "Fatima Live" });
  await row.waitFor({ timeout: 15000 });
  assert.match(await row.textContent(), /new/);
  assert.match(await row.textContent(), /Can I pick up my bike today\?/);
  assert.equal(await page.evaluate(() => window.keptMarker), "still the same page");

  // Round robin gave it to Sanne: it is in "Mine", not in "Nobody's yet".
  const view = (code) => Promise.all([page.waitForURL(new RegExp(`view=${code}$`)), page.click(`nav.views a[href*='view=${code}']`)]);
  await view("mine");
  await page.locator("#conversation-rows tr.conversation", { hasText: "Fatima Live" }).waitFor();
  await view("unassigned");
  assert.equal(await page.locator("#conversation-rows tr.conversation", { hasText: "Fatima Live" }).count(), 0);
  await view("mine");

  // Keys: j selects the first row, Enter opens it, r goes to the reply box.
  await page.keyboard.press("?");
  assert.equal(await page.locator("#keys-help").isVisible(), true);
  const rows = page.locator("#conversation-rows tr.conversation");
  const target = await rows.first().getAttribute("data-id");
  await page.keyboard.press("j");
  assert.equal(await page.locator("#conversation-rows tr.selected").getAttribute("data-id"), target);
  await Promise.all([page.waitForURL(`${kept.base}/staff/conversations/${target}`), page.keyboard.press("Enter")]);
  await page.keyboard.press("r");
  assert.equal(await page.evaluate(() => document.activeElement.id), "reply-text");
});

test("a lost session keeps the draft: the tone panel says it could not check, and send waits for a new login", async () => {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  const logIn = async (on) => {
    await on.goto(`${kept.base}/login?lang=en`);
    await on.fill("#email", "sanne@fiets.test");
    await on.fill("#password", PASSWORD);
    await Promise.all([on.waitForURL(`${kept.base}/staff`), on.click("button[type=submit]")]);
  };
  await logIn(page);
  const row = page.locator("#conversation-rows tr.conversation", { hasText: "Fatima Live" });
  await Promise.all([page.waitForURL(/\/staff\/conversations\//), row.locator("a").click()]);
  const conversation = page.url();

  await context.clearCookies();
  await page.locator("#reply-text").pressSequentially("Dear customer, that is not our fault.");
  await page.locator("#composer-status", { hasText: "could not be checked" }).waitFor();
  assert.equal(await page.locator("#tone-ok").isVisible(), false, "no 'no remarks' when nothing was checked");
  await page.click("#composer button[type=submit]");
  await page.locator("#composer-status", { hasText: "You are logged out" }).waitFor();
  assert.equal(page.url(), conversation, "still on the conversation");
  assert.equal(await page.inputValue("#reply-text"), "Dear customer, that is not our fault.");

  // Even a reload keeps the draft (in this browser) until it is sent.
  const again = await context.newPage();
  await logIn(again);
  await page.reload();
  assert.equal(await page.inputValue("#reply-text"), "Dear customer, that is not our fault.");
  await page.locator("#composer-status", { hasText: "earlier draft was put back" }).waitFor();
  await page.locator("#reply-text").fill("Dear Fatima, your bike is ready.");
  await page.click("#composer button[type=submit]");
  await page.locator(".message.outbound", { hasText: "your bike is ready" }).waitFor();
  assert.equal(await page.inputValue("#reply-text"), "", "sent: no draft left");
});

test("resolving a conversation whose customer still waits asks for confirmation first", async () => {
  const token = kept.token("sanne@fiets.test");
  const inbound = await fetch(`${kept.base}/api/v1/inbound/message`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: "chat", external_id: "resolve-1", from: { handle: "@kees", name: "Kees Wacht" }, text: "Hello?" }),
  });
  assert.equal(inbound.status, 201);
  const { conversation_id } = await inbound.json();
  const page = await browser.newPage();
  await page.goto(`${kept.base}/login?lang=en`);
  await page.fill("#email", "sanne@fiets.test");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${kept.base}/staff`), page.click("button[type=submit]")]);
  await page.goto(`${kept.base}/staff/conversations/${conversation_id}`);
  const resolve = page.locator("button[name=status][value=resolved]");
  await resolve.click();
  // The browser refuses until the box is ticked: still open, nothing sent.
  assert.equal(page.url(), `${kept.base}/staff/conversations/${conversation_id}`);
  assert.match(await page.locator("#conversation-status").textContent(), /waiting for us/);
  await page.check("input[name=confirm]");
  await Promise.all([page.waitForURL(`${kept.base}/staff/conversations/${conversation_id}`), resolve.click()]);
  assert.match(await page.locator("#conversation-status").textContent(), /resolved/i);
  assert.match(await page.locator("#promise-status").textContent(), /cancelled/);
});

test("a promise written in a reply is shown under the composer and tracked once sent", async () => {
  const { conversation_id: id } = await chatFrom("chat-2", "@piet", "Piet de Vries", "Wanneer weet ik meer over de reparatie?");
  const page = await sannesPage("nl");
  await page.goto(`${kept.base}/staff/conversations/${id}?lang=nl`);
  await page.locator("#reply-text").pressSequentially("Ik bel u morgen om 10:00 terug.");
  const commitment = page.locator("#commitment-list li");
  await commitment.waitFor();
  assert.match(await commitment.textContent(), /Ik bel u morgen om 10:00 terug/);
  assert.ok(await commitment.locator("input[type=checkbox]").isChecked(), "kept by default");
  const due = await commitment.locator("input[type=datetime-local]").inputValue();
  assert.match(due, /T10:00$/);

  await page.click("#composer button[type=submit]");
  await page.locator(".message.outbound", { hasText: "Ik bel u morgen om 10:00 terug" }).waitFor();
  // The conversation shows it among the customer's open follow-ups, due at 10:00.
  assert.match(await page.locator("#conversation-follow-ups").textContent(), /10:00/);
  // The home page lists the follow-up among the other promises, due tomorrow at 10:00.
  await page.goto(`${kept.base}/staff?lang=nl`);
  const row = page.locator("#promise-rows tr.promise-row", { hasText: "Piet de Vries" });
  await row.waitFor();
  assert.match(await row.textContent(), /10:00/);
});

test("a multi-line reply typed with Enter, accents and € keeps the ticked promise at its changed time", async () => {
  const token = kept.token("sanne@fiets.test");
  const { conversation_id: id, customer_id: customer } = await chatFrom("chat-lines", "@els", "Els Mulder", "Wat kost de reparatie?");
  const page = await sannesPage("nl");
  await page.goto(`${kept.base}/staff/conversations/${id}?lang=nl`);
  const text = page.locator("#reply-text");
  await text.click();
  for (const line of [
    "Beste mevrouw Mulder,", "", "De reparatie kost € 79, inclusief de café-racer onderdelen.",
    "Ik bel u morgen om 10:00 terug.", "De offerte mail ik u vrijdag.", "", "Met vriendelijke groet,",
  ]) {
    await page.keyboard.type(line);
    await page.keyboard.press("Enter");
  }
  await page.keyboard.type("Sanne");
  const call = page.locator("#commitment-list li", { hasText: "Ik bel u morgen om 10:00 terug" });
  const quote = page.locator("#commitment-list li", { hasText: "offerte" });
  await call.waitFor();
  await quote.waitFor();
  // The call moved to 11:00, the quote left out.
  const due = call.locator("input[type=datetime-local]");
  const moved = (await due.inputValue()).replace(/T10:00$/, "T11:00");
  await due.fill(moved);
  await quote.locator("input[type=checkbox]").uncheck();

  await page.click("#composer button[type=submit]");
  await page.locator(".message.outbound", { hasText: "€ 79" }).waitFor();
  assert.match(await page.locator("#conversation-follow-ups").textContent(), /11:00/);
  const promises = await (await fetch(`${kept.base}/api/v1/promises?kind=follow_up`, {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  const hers = promises.filter((p) => p.customer_id === customer);
  assert.equal(hers.length, 1, JSON.stringify(hers));
  // Due at the moved time on the business's clock (Amsterdam), not at 10:00 nor on Friday.
  const local = new Date(hers[0].due_at).toLocaleString("sv-SE", { timeZone: "Europe/Amsterdam" });
  assert.equal(local.slice(0, 16).replace(" ", "T"), moved);
});

test("an agent writes to a customer first from the customer page, with the promise in it tracked", async () => {
  const { customer_id: customer } = await chatFrom("chat-first", "@joop", "Joop Smit", "Bedankt voor de hulp!");
  const page = await sannesPage("nl");
  await page.goto(`${kept.base}/staff/customers/${customer}?lang=nl`);
  await page.click("#write-first summary");
  await page.selectOption("#write-channel", "chat");
  await page.fill("#write-subject", "Uw fiets");
  await page.locator("#reply-text").click();
  for (const line of ["Beste Joop,", "", "Uw fiets is klaar, de rekening is € 45.", "Ik bel u morgen om 10:00 over het ophalen."]) {
    await page.keyboard.type(line);
    await page.keyboard.press("Enter");
  }
  const call = page.locator("#commitment-list li", { hasText: "Ik bel u morgen om 10:00" });
  await call.waitFor();
  assert.ok(await call.locator("input[type=checkbox]").isChecked());
  await Promise.all([page.waitForURL(/\/staff\/conversations\//), page.click("#composer button[type=submit]")]);
  // The notice is in her own language (the account's), whatever the page was opened in.
  assert.match(await page.locator("#flash").textContent(), /(Bericht verstuurd naar|Message sent to) Joop Smit\./);
  await page.locator(".message.outbound", { hasText: "€ 45" }).waitFor();
  assert.match(await page.locator("#conversation-follow-ups").textContent(), /10:00/);
  // Out through the channel's webhook, with the text as typed.
  for (let i = 0; i < 50 && !received.some((r) => JSON.stringify(r).includes("€ 45")); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(received.some((r) => JSON.stringify(r).includes("Uw fiets is klaar, de rekening is € 45.")), JSON.stringify(received));
});

test("the inbox shows fifty at a time; 'show more' adds the rest in place and a live refresh keeps them", async () => {
  for (let n = 0; n < 55; n++) {
    await chatFrom(`many-${n}`, `@veel${n}`, `Klant ${n}`, "Graag een offerte voor een nieuwe fiets.");
  }
  const page = await sannesPage("nl");
  const rows = page.locator("#conversation-rows tr.conversation");
  assert.equal(await rows.count(), 50);
  const more = page.locator("#conversation-rows tr.more a");
  assert.match((await more.textContent()).trim(), /^(Meer tonen|Show more)$/);
  // With the keyboard, like a person: to the link, Enter.
  await more.focus();
  await page.keyboard.press("Enter");
  await page.locator("#conversation-rows tr.more").waitFor({ state: "detached" });
  assert.equal(page.url(), `${kept.base}/staff`, "in place, no new page");
  const shown = await rows.evaluateAll((all) => all.map((row) => row.dataset.id));
  assert.ok(shown.length > 55, `the rest below the first fifty: ${shown.length}`);
  assert.equal(new Set(shown).size, shown.length, "each row once");

  // An upset customer writes: the list refreshes by itself, puts them first and keeps every row.
  await chatFrom("many-upset", "@boos", "Boze Klant", "IK WACHT AL DRIE WEKEN. Belachelijk!!");
  await page.locator("#conversation-rows tr.conversation", { hasText: "Boze Klant" }).waitFor();
  const after = await rows.evaluateAll((all) => all.map((row) => row.dataset.id));
  assert.equal(after.length, shown.length + 1);
  assert.deepEqual(after.filter((id) => shown.includes(id)), shown, "the rows shown stay, in order");
});
