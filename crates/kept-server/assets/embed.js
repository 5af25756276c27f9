// Inside a business's own page (an iframe): tell that page how tall the form is, so that the
// iframe can grow to fit it — a fixed height cuts the button off on a phone, or after the
// form's errors appear. The business's page listens with the snippet in docs/first-day.md.
(function () {
  if (window.parent === window) return;
  let last = 0;
  function tell() {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ kept: "height", height: height }, "*");
  }
  window.addEventListener("load", tell);
  window.addEventListener("resize", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
  tell();
})();
