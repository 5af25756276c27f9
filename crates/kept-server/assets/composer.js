// The reply composer: tone findings while the agent types, and saved replies filled in.
(function () {
  const form = document.getElementById("composer");
  if (!form) return;
  const text = document.getElementById("reply-text");
  const replyTo = document.getElementById("reply-to");
  const findings = document.getElementById("tone-findings");
  const ok = document.getElementById("tone-ok");
  const template = document.getElementById("template");
  const csrf = form.querySelector("input[name=csrf]").value;
  let timer = null;
  let latest = 0;

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    return response.ok ? response.json() : null;
  }

  function show(report) {
    findings.replaceChildren();
    (report ? report.findings : []).forEach(function (finding) {
      const item = document.createElement("li");
      item.dataset.rule = finding.rule;
      const quote = document.createElement("q");
      quote.textContent = finding.excerpt;
      const why = document.createTextNode(" " + finding.message + " ");
      const better = document.createElement("span");
      better.className = "suggestion";
      better.textContent = finding.suggestion;
      item.append(quote, why, better);
      findings.append(item);
    });
    ok.hidden = findings.children.length > 0;
  }

  async function check() {
    const draft = text.value;
    const asked = ++latest;
    if (!draft.trim()) { show(null); return; }
    const body = { text: draft };
    if (replyTo.value.trim()) body.reply_to = replyTo.value;
    if (form.dataset.customerName) body.customer_name = form.dataset.customerName;
    const report = await post("/api/v1/tone/check", body);
    // An older answer arriving late must not overwrite a newer one.
    if (asked === latest) show(report);
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  if (template) {
    template.addEventListener("change", async function () {
      if (!template.value) return;
      const draft = await post("/api/v1/conversations/" + form.dataset.conversation + "/draft", { template_id: template.value });
      if (draft) { text.value = draft.text; check(); }
    });
  }
  check();
})();
