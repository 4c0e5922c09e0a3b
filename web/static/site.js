// Enhancements for every page; everything works without them.
(function () {
  "use strict";
  // Leave empty filters out of the URL, so a search's address stays short to share.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("search-form")) return;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.name !== "q" && field.value.trim() === "") field.disabled = true;
    });
  });
  // Back from the next page the fields must be usable again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".search-form [disabled]"), function (f) {
      f.disabled = false;
    });
  });
})();
