// The customer's page of their request: the promise's state and the conversation refresh
// themselves without a reload. The live part comes from the server as HTML; when the link
// stops working (revoked, closed) the refreshes stop and the page keeps what it showed.
(function () {
  const live = document.getElementById("live");
  if (!live || !live.dataset.url) return;
  const every = (Number(live.dataset.seconds) || 20) * 1000;
  async function refresh() {
    try {
      const response = await fetch(live.dataset.url, { credentials: "omit", cache: "no-store" });
      if (response.status === 404) return;
      if (response.ok) {
        const html = await response.text();
        if (html !== live.innerHTML) live.innerHTML = html;
      }
    } catch (error) { /* offline for a moment: the next turn tries again */ }
    setTimeout(refresh, every);
  }
  setTimeout(refresh, every);
})();
