// Public pages: filter the speakers list as the visitor types. The list is
// complete without this script; the search form still works without it.
(function () {
  "use strict";
  var input = document.getElementById("speaker-search");
  var list = document.getElementById("speaker-list");
  var count = document.getElementById("speaker-count");
  if (!input || !list) return;
  var spell = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i" };
  // fold mirrors the server's name folding closely enough for filtering:
  // no accents, lower case, quotes dropped, other punctuation as spaces.
  function fold(s) {
    s = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    s = s.replace(/[ßæœøłđðþı]/g, function (c) { return spell[c]; });
    s = s.replace(/['"`´‘’‚‛“”„‟′″‹›«»]/g, "");
    return s.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  var rows = Array.prototype.slice.call(list.querySelectorAll("li[data-fold]"));
  var initial = count ? count.textContent : "";
  function apply() {
    var words = fold(input.value).split(" ").filter(Boolean);
    var shown = 0;
    rows.forEach(function (li) {
      var name = li.getAttribute("data-fold") || "";
      var ok = words.every(function (w) { return name.indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = words.length ? shown + " shown" : initial;
  }
  input.addEventListener("input", apply);
})();
