// Countdowns to each promise's deadline, and live reload of the open list via server-sent events.
(function () {
  function format(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const h = Math.floor(minutes / 60), m = minutes % 60;
    // "2 u 5 min" on a Dutch page, "2h 5m" on an English one.
    const dutch = document.documentElement.lang === "nl";
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
  async function refresh(rows) {
    const response = await fetch(rows.dataset.src, { credentials: "same-origin" });
    if (response.ok) {
      rows.innerHTML = await response.text();
      tick();
    }
  }
  tick();
  setInterval(tick, 1000);
  const source = document.body.dataset.live;
  const rows = document.getElementById("rows");
  if (source && rows && window.EventSource) {
    const events = new EventSource(source);
    events.addEventListener("changed", function () { refresh(rows); });
  }
})();
