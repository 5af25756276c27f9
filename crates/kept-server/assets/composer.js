// The reply composer: tone findings while the agent types, saved replies filled in, and a draft
// that survives a lost session (kept in this browser until it is sent).
(function () {
  const form = document.getElementById("composer");
  if (!form) return;
  const text = document.getElementById("reply-text");
  const replyTo = document.getElementById("reply-to");
  const findings = document.getElementById("tone-findings");
  const ok = document.getElementById("tone-ok");
  const template = document.getElementById("template");
  const csrf = form.querySelector("input[name=csrf]").value;
  const status = document.getElementById("composer-status");
  const draftKey = "kept-draft-" + form.dataset.conversation;
  let timer = null;
  let latest = 0;
  // The dated commitments read in the draft ("ik bel u morgen om 10:00"): kept tracks each as
  // a promise when the reply is sent, unless unticked; the time can be changed. What the
  // writer decided stays while they go on typing.
  const promised = document.getElementById("commitments");
  const promisedList = document.getElementById("commitment-list");
  const promisedShown = promised.querySelector("input[name=commitments_shown]");
  const decided = new Map();

  function showCommitments(report) {
    promisedList.replaceChildren();
    const found = report && report.commitments ? report.commitments : [];
    found.forEach(function (commitment) {
      // Named by its words and occurrence (commitment.key), not its place in the text: the
      // browser sends line breaks as CR LF, and the writer may type on after this check.
      const choice = decided.get(commitment.key) || { keep: true, due: commitment.due_local };
      const item = document.createElement("li");
      const listed = document.createElement("input");
      listed.type = "hidden";
      listed.name = "listed_" + commitment.key;
      listed.value = "1";
      const keep = document.createElement("input");
      keep.type = "checkbox";
      keep.name = "keep_" + commitment.key;
      keep.id = "keep-" + promisedList.children.length;
      keep.value = "1";
      keep.checked = choice.keep;
      const label = document.createElement("label");
      label.htmlFor = keep.id;
      label.className = "choice";
      label.textContent = " " + promised.dataset.keep + ": “" + commitment.clause + "”";
      label.prepend(keep);
      const when = document.createElement("input");
      when.type = "datetime-local";
      when.name = "due_" + commitment.key;
      when.value = choice.due;
      when.setAttribute("aria-label", promised.dataset.when);
      const remember = function () { decided.set(commitment.key, { keep: keep.checked, due: when.value }); };
      keep.addEventListener("change", remember);
      when.addEventListener("change", remember);
      item.append(listed, label, " ", when);
      promisedList.append(item);
    });
    promised.hidden = found.length === 0;
    promisedShown.disabled = found.length === 0;
  }

  // null when the answer is not usable (logged out, offline, refused).
  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      return response.ok ? response.json() : null;
    } catch (error) {
      return null;
    }
  }

  function say(message) {
    status.textContent = message || "";
    status.hidden = !message;
  }

  // A vague promise made definite: its words go with the form (the server finds them in the
  // text it gets), the field named by its place among this check's findings.
  function whenChoice(finding, index) {
    const key = "vague_" + index;
    const choice = decided.get("vague:" + finding.excerpt) || { keep: false, due: finding.when_local };
    const label = document.createElement("label");
    label.className = "choice";
    const keep = document.createElement("input");
    keep.type = "checkbox";
    keep.name = key;
    keep.value = finding.excerpt;
    keep.checked = choice.keep;
    label.append(keep, " " + findings.closest("section").dataset.vagueWhen + " ");
    const when = document.createElement("input");
    when.type = "datetime-local";
    when.name = "due_" + key;
    when.value = choice.due;
    when.disabled = !keep.checked;
    const remember = function () {
      when.disabled = !keep.checked;
      decided.set("vague:" + finding.excerpt, { keep: keep.checked, due: when.value });
    };
    keep.addEventListener("change", remember);
    when.addEventListener("change", remember);
    label.append(when);
    return label;
  }

  function show(report) {
    findings.replaceChildren();
    (report ? report.findings : []).forEach(function (finding, index) {
      const item = document.createElement("li");
      item.dataset.rule = finding.rule;
      const quote = document.createElement("q");
      quote.textContent = finding.excerpt;
      const why = document.createTextNode(" " + finding.message + " ");
      const better = document.createElement("span");
      better.className = "suggestion";
      better.textContent = finding.suggestion;
      item.append(quote, why, better);
      // Not a problem in this business: these words are not flagged for this rule again.
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "secondary not-a-problem";
      dismiss.textContent = findings.closest("section").dataset.notAProblem;
      dismiss.addEventListener("click", async function () {
        dismiss.disabled = true;
        await post("/api/v1/tone/dismissals", { rule: finding.rule, excerpt: finding.excerpt });
        check();
      });
      item.append(" ", dismiss);
      // A vague promise ("we komen erop terug"): offer to make it a promise with a moment.
      if (finding.when_local) item.append(document.createElement("br"), whenChoice(finding, index));
      findings.append(item);
    });
    ok.hidden = findings.children.length > 0;
  }

  async function check() {
    const draft = text.value;
    const asked = ++latest;
    if (!draft.trim()) { show(null); showCommitments(null); return; }
    const body = { text: draft };
    if (replyTo.value.trim()) body.reply_to = replyTo.value;
    if (form.dataset.customerName) body.customer_name = form.dataset.customerName;
    const report = await post("/api/v1/tone/check", body);
    // An older answer arriving late must not overwrite a newer one.
    if (asked !== latest) return;
    show(report);
    showCommitments(report);
    // No answer is not "no remarks": say that the tone could not be checked.
    if (!report) { ok.hidden = true; say(form.dataset.toneUnavailable); }
    else if (status.textContent === form.dataset.toneUnavailable) say("");
  }

  text.addEventListener("input", function () {
    try { localStorage.setItem(draftKey, text.value); } catch (error) { /* private mode: no copy */ }
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });

  // Before sending, make sure the session still holds: a send after it expired would land on
  // the login page and lose the text. The draft stays here; log in again in another tab.
  form.addEventListener("submit", async function (event) {
    if (form.dataset.checked === "1") return;
    event.preventDefault();
    let loggedIn = false;
    try {
      const probe = await fetch("/staff/inbox/rows?view=mine", { credentials: "same-origin" });
      loggedIn = probe.ok && !probe.redirected;
    } catch (error) {
      loggedIn = false;
    }
    if (!loggedIn) {
      say(form.dataset.loggedOut);
      document.getElementById("login-again").hidden = false;
      return;
    }
    try { localStorage.removeItem(draftKey); } catch (error) { /* nothing kept */ }
    form.dataset.checked = "1";
    form.requestSubmit();
  });

  // A draft kept from before (the session had expired, or the page was closed).
  try {
    const kept = localStorage.getItem(draftKey);
    if (kept && !text.value.trim()) {
      text.value = kept;
      say(form.dataset.draftRestored);
    }
  } catch (error) { /* no storage */ }
  if (template) {
    template.addEventListener("change", async function () {
      if (!template.value) return;
      const draft = await post("/api/v1/conversations/" + form.dataset.conversation + "/draft", { template_id: template.value });
      if (draft) { text.value = draft.text; check(); }
    });
  }
  check();
})();
