// "Copia la citazione": the button shows only where the clipboard can be written;
// without JavaScript the citation is plain text to select and copy.
(function () {
  "use strict";
  var button = document.querySelector("[data-copy]");
  if (!button || !navigator.clipboard) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.querySelector("[data-copy-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = source.textContent.replace(/\s+/g, " ").trim();
    navigator.clipboard.writeText(text).then(
      function () { status.textContent = "Citazione copiata."; },
      function () { status.textContent = "Non è stato possibile copiare: seleziona il testo."; }
    );
  });
})();
