// Countdowns to each promise's deadline, and live reload of the open list via server-sent events.
(function () {
  function format(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const h = Math.floor(minutes / 60), m = minutes % 60, d = Math.floor(h / 24);
    // "2 u 5 min" on a Dutch page, "2h 5m" on an English one; days once it is that long
    // ("4 dagen", not "111 u 45 min").
    const dutch = document.documentElement.lang === "nl";
    if (d >= 2) return d + (dutch ? " dagen" : " days");
    if (d === 1) return (dutch ? "1 dag " : "1 day ") + (h - 24) + (dutch ? " u" : "h");
    return (h > 0 ? h + (dutch ? " u " : "h ") : "") + m + (dutch ? " min" : "m");
  }
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (el) {
      const left = Date.parse(el.dataset.due) - Date.now();
      el.textContent = left < 0 ? el.dataset.overdueText.replace("{}", format(left)) : format(left);
      const row = el.closest("tr");
      if (row) row.classList.toggle("overdue", left < 0);
    });
  }
  // A paged list's rows end with a marker of the last row's place; a refresh reloads the list
  // through it, so the rows shown (after any "show more") stay — and, when that row ended the
  // list, with what came after it since.
  function rowsSource(rows) {
    const last = [...rows.querySelectorAll("tr[data-last]")].pop()?.dataset.last;
    if (!last) return rows.dataset.src;
    const ended = rows.querySelector("tr.more") ? "" : "&ended=true";
    return rows.dataset.src + "&through=" + encodeURIComponent(last) + ended;
  }
  // Reloads a list in place; what was ticked and which row the keys were on stay so.
  async function refresh(rows) {
    const response = await fetch(rowsSource(rows), { credentials: "same-origin" });
    if (!response.ok) return;
    const ticked = new Set([...rows.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value));
    const selected = rows.querySelector("tr.selected")?.dataset.id;
    rows.innerHTML = await response.text();
    rows.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = ticked.has(box.value); });
    if (selected) rows.querySelector(`tr[data-id="${selected}"]`)?.classList.add("selected");
    tick();
  }
  // "Show more" adds the next page below the rows (or entries) shown, in place of the link.
  document.addEventListener("click", async function (event) {
    const link = event.target.closest("a[data-more]");
    if (!link) return;
    event.preventDefault();
    const response = await fetch(link.dataset.more, { credentials: "same-origin" });
    if (!response.ok) return;
    const row = link.closest("tr, li");
    row.insertAdjacentHTML("afterend", await response.text());
    // The keyboard stays where the new rows begin, not at the top of the page.
    const added = row.nextElementSibling?.querySelector("a");
    row.remove();
    added?.focus();
    tick();
  });
  tick();
  setInterval(tick, 1000);
  const source = document.body.dataset.live;
  if (source && window.EventSource) {
    const events = new EventSource(source);
    events.addEventListener("changed", function () {
      document.querySelectorAll("tbody[data-src]").forEach(refresh);
    });
  }

  // Keys: j / k move through the inbox, Enter opens, r replies, e resolves, ? explains.
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function move(step) {
    const rows = [...document.querySelectorAll("[data-keys=rows] tr[data-id]")];
    if (rows.length === 0) return;
    const at = rows.findIndex((row) => row.classList.contains("selected"));
    const next = rows[Math.min(rows.length - 1, Math.max(0, at + step))];
    rows.forEach((row) => row.classList.remove("selected"));
    next.classList.add("selected");
    next.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    // Enter on a focused link or button is that link's or button's.
    if (event.key === "Enter" && event.target.closest("a, button")) return;
    const open = document.querySelector("[data-keys=rows] tr.selected a");
    const actions = {
      j: () => move(1),
      k: () => move(-1),
      Enter: () => open?.click(),
      r: () => document.getElementById("reply-text")?.focus(),
      e: () => document.querySelector("button[name=status][value=resolved]")?.click(),
      "?": () => { const help = document.getElementById("keys-help"); if (help) help.hidden = !help.hidden; },
      Escape: () => { const help = document.getElementById("keys-help"); if (help) help.hidden = true; },
    };
    const act = actions[event.key];
    if (act && (event.key !== "Enter" || open)) {
      event.preventDefault();
      act();
    }
  });
})();

// A stand-in list never offers the person who goes away: the option of the one chosen in the
// list named by data-not is switched off (the server refuses it too).
(function () {
  document.querySelectorAll("select[data-not]").forEach(function (standIn) {
    const who = document.getElementById(standIn.dataset.not);
    if (!who) return;
    function exclude() {
      Array.from(standIn.options).forEach(function (option) { option.disabled = option.value === who.value; });
      if (standIn.selectedOptions[0] && standIn.selectedOptions[0].disabled) {
        const other = Array.from(standIn.options).find(function (option) { return !option.disabled; });
        if (other) standIn.value = other.value;
      }
    }
    who.addEventListener("change", exclude);
    exclude();
  });
})();
