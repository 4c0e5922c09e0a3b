// Move between the marked query words of an article: the buttons, or the keys n and p.
// Without this script the buttons are plain links to #hit-1 and to the last mark.
(function () {
  "use strict";
  var nav = document.querySelector("[data-hitnav]");
  if (!nav) return;
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark[id^='hit-']"));
  if (!marks.length) return;
  var counter = nav.querySelector("[data-hitnav-counter]");
  var prev = nav.querySelector("[data-hitnav-prev]");
  var next = nav.querySelector("[data-hitnav-next]");
  var total = marks.length;
  var current = -1;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function wrap(i) {
    return (i + total) % total;
  }

  function show(i) {
    if (current >= 0) marks[current].classList.remove("current");
    current = wrap(i);
    var mark = marks[current];
    mark.classList.add("current");
    mark.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
    counter.textContent = (current + 1) + " di " + total;
    prev.href = "#" + marks[wrap(current - 1)].id;
    next.href = "#" + marks[wrap(current + 1)].id;
    if (window.history && history.replaceState) history.replaceState(null, "", "#" + mark.id);
  }

  function forward() {
    show(current + 1);
  }

  function back() {
    show(current < 0 ? total - 1 : current - 1);
  }

  function indexOfHash() {
    var found = /^#hit-(\d+)$/.exec(window.location.hash);
    var i = found ? parseInt(found[1], 10) - 1 : -1;
    return i >= 0 && i < total ? i : -1;
  }

  prev.addEventListener("click", function (event) {
    event.preventDefault();
    back();
  });
  next.addEventListener("click", function (event) {
    event.preventDefault();
    forward();
  });
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    if (event.key === "n") {
      event.preventDefault();
      forward();
    } else if (event.key === "p") {
      event.preventDefault();
      back();
    }
  });
  window.addEventListener("hashchange", function () {
    var i = indexOfHash();
    if (i >= 0 && i !== current) show(i);
  });
  var start = indexOfHash();
  if (start >= 0) show(start);
})();
