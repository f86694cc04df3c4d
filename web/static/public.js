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

// Galleries: load the thumbnails the page left to script as they come near
// the screen, so a talk with hundreds of photos costs its first screen only.
(function () {
  "use strict";
  var imgs = document.querySelectorAll("img.deferred[data-src]");
  if (!imgs.length) return;
  function load(img) {
    img.src = img.getAttribute("data-src");
    img.removeAttribute("data-src");
    img.classList.remove("deferred");
  }
  if (!("IntersectionObserver" in window)) {
    imgs.forEach(load);
    return;
  }
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) {
        io.unobserve(e.target);
        load(e.target);
      }
    });
  }, { rootMargin: "100px 0px" });
  imgs.forEach(function (img) { io.observe(img); });
})();

// Galleries: a lightbox over the photos. Arrows and swipes move through
// them, Esc closes; under each photo its credit, licence and every size to
// download.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll('.gallery [data-testid=photo]'));
  if (!items.length) return;
  var dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", "Photo viewer");
  dialog.setAttribute("data-testid", "lightbox");
  dialog.innerHTML = '<div class="stage"><div class="bar"><span class="counter" aria-live="polite"></span>' +
    '<button type="button" class="prev" aria-label="Previous photo">←</button>' +
    '<button type="button" class="next" aria-label="Next photo">→</button>' +
    '<button type="button" class="close" aria-label="Close">✕</button></div>' +
    '<figure><img alt=""><figcaption><span class="credit"></span></figcaption></figure>' +
    '<div class="bar"><span>Download:</span><ul class="downloads"></ul></div></div>';
  document.body.appendChild(dialog);
  var img = dialog.querySelector("figure img");
  var credit = dialog.querySelector("figcaption .credit");
  var downloads = dialog.querySelector("ul.downloads");
  var counter = dialog.querySelector(".counter");
  var at = 0;

  function show(i) {
    at = (i + items.length) % items.length;
    var li = items[at];
    var thumb = li.querySelector("a.open img");
    img.removeAttribute("srcset");
    img.src = li.getAttribute("data-full") || li.querySelector("a.open").href;
    var set = li.getAttribute("data-full-set");
    if (set) {
      img.srcset = set;
      img.sizes = "100vw";
    }
    img.alt = thumb ? thumb.alt : "";
    credit.textContent = (li.querySelector(".credit") || {}).textContent || "";
    downloads.innerHTML = "";
    var list = li.querySelector("ul.downloads");
    if (list) {
      Array.prototype.forEach.call(list.children, function (c) { downloads.appendChild(c.cloneNode(true)); });
    }
    counter.textContent = (at + 1) + " of " + items.length;
  }
  function open(i) {
    show(i);
    if (!dialog.open) dialog.showModal();
  }
  items.forEach(function (li, i) {
    li.querySelector("a.open").addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      open(i);
    });
  });
  dialog.querySelector(".prev").addEventListener("click", function () { show(at - 1); });
  dialog.querySelector(".next").addEventListener("click", function () { show(at + 1); });
  dialog.querySelector(".close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { e.preventDefault(); show(at - 1); }
    if (e.key === "ArrowRight") { e.preventDefault(); show(at + 1); }
  });
  // Esc closes a modal dialog by itself; give the focus back to the photo.
  dialog.addEventListener("close", function () {
    var a = items[at].querySelector("a.open");
    if (a) a.focus();
  });
  var startX = null;
  var fig = dialog.querySelector("figure");
  fig.addEventListener("pointerdown", function (e) { startX = e.clientX; });
  fig.addEventListener("pointerup", function (e) {
    if (startX === null) return;
    var dx = e.clientX - startX;
    startX = null;
    if (Math.abs(dx) > 40) show(dx < 0 ? at + 1 : at - 1);
  });
  fig.addEventListener("touchstart", function (e) { startX = e.touches[0].clientX; }, { passive: true });
  fig.addEventListener("touchend", function (e) {
    if (startX === null || !e.changedTouches.length) return;
    var dx = e.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 40) show(dx < 0 ? at + 1 : at - 1);
  });
})();

// Talk pages: the recording loads its player only when asked, so the page
// opens on the talk and its photos, not on a video frame.
(function () {
  "use strict";
  document.querySelectorAll(".recording[data-embed] button.play").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var box = btn.closest(".recording");
      var holder = box.querySelector(".player");
      var wrap = document.createElement("div");
      wrap.className = "video";
      var el;
      if (box.getAttribute("data-player") === "video") {
        el = document.createElement("video");
        el.controls = true;
        el.playsInline = true;
        el.preload = "metadata";
      } else {
        el = document.createElement("iframe");
        el.title = box.getAttribute("data-title") || "Recording";
        el.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
        el.allowFullscreen = true;
        el.referrerPolicy = "strict-origin-when-cross-origin";
      }
      el.src = box.getAttribute("data-embed");
      wrap.appendChild(el);
      holder.appendChild(wrap);
      holder.hidden = false;
      btn.hidden = true;
      el.focus();
    });
  });
})();
