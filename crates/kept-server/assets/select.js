// A read-only field with something to copy (a link, a token, a calendar address) is selected
// whole when it gets focus. (A script of its own: the pages' security policy allows no inline
// handlers.)
document.querySelectorAll("input[data-select]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
});
