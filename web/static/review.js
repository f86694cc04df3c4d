// confmedia review page: select many items (click, shift-click, a group,
// the page, the keyboard) and decide them in one request to
// POST /api/review/resolve; a large preview on demand. Without this
// script every item keeps its own forms.
(function () {
  'use strict';

  var bar = document.getElementById('bulk');
  if (!bar) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var talks = [];
  try { talks = JSON.parse(bar.dataset.talks || '[]') || []; } catch (e) { talks = []; }

  var count = document.getElementById('bulk-count');
  var result = document.getElementById('bulk-result');
  var query = document.getElementById('bulk-talk-q');
  var list = document.getElementById('bulk-talks');
  var dialog = document.getElementById('preview');
  var anchor = -1; // index of the last item clicked, for shift-click

  function items() { return Array.prototype.slice.call(document.querySelectorAll('.review-item:not(.done)')); }
  function selected() { return items().filter(function (a) { return a.classList.contains('selected'); }); }
  function box(a) { return a.querySelector('input.pick'); }

  function setSelected(a, on) {
    a.classList.toggle('selected', on);
    var b = box(a);
    if (b) b.checked = on;
  }

  // Turn on what needs the script: checkboxes, the bar, group buttons.
  bar.hidden = false;
  items().forEach(function (a) {
    var b = box(a);
    if (b) b.hidden = false;
    a.tabIndex = -1;
  });
  document.querySelectorAll('[data-select-group]').forEach(function (b) { b.hidden = false; });
  var first = items()[0];
  if (first) first.tabIndex = 0;

  function update() {
    var sel = selected();
    count.textContent = sel.length + ' selected';
    renderTalks(sel);
  }

  // Candidate talks: those in the selection's rooms that ran while its
  // photos were taken first, then those within 30 minutes of them, then
  // the rest nearest in time; a search narrows by title or speaker.
  function fold(s) {
    return (s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  function renderTalks(sel) {
    var rooms = {}, lo = Infinity, hi = -Infinity;
    sel.forEach(function (a) {
      if (a.dataset.room) rooms[a.dataset.room] = true;
      var t = Number(a.dataset.taken || 0);
      if (t) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
    });
    var slack = 30 * 60 * 1000;
    var q = fold(query.value).trim();
    var scored = talks.filter(function (t) {
      return !q || fold(t.title).indexOf(q) >= 0 || fold(t.speakers).indexOf(q) >= 0 || fold(t.id) === q;
    }).map(function (t) {
      // dist: how far the talk is from the capture times (0: it ran
      // while they were taken).
      var dist = Infinity;
      if (t.start && lo !== Infinity) dist = Math.max(0, t.start - hi, lo - t.end);
      var roomFits = Object.keys(rooms).length === 0 || !!rooms[t.room];
      var near = roomFits && dist <= slack;
      return { t: t, near: near, score: (near ? 0 : 1e15) + (roomFits ? 0 : 1e14) + dist };
    });
    if (lo !== Infinity) scored.sort(function (a, b) { return a.score - b.score; });
    list.textContent = '';
    scored.slice(0, q ? 12 : 8).forEach(function (s) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary' + (s.near ? ' near' : '');
      b.dataset.talk = s.t.id;
      b.textContent = s.t.label + (s.t.speakers ? ' — ' + s.t.speakers : '');
      b.disabled = sel.length === 0;
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function focusItem(a) {
    items().forEach(function (x) { x.tabIndex = -1; });
    a.tabIndex = 0;
    a.focus();
    a.scrollIntoView({ block: 'nearest' });
  }

  function selectRange(from, to) {
    var all = items(), lo = Math.min(from, to), hi = Math.max(from, to);
    for (var i = lo; i <= hi; i++) if (all[i]) setSelected(all[i], true);
  }

  // Clicks: a checkbox toggles (shift: the range from the last one); a
  // group button selects the group; the bar's buttons decide.
  document.addEventListener('click', function (ev) {
    var t = ev.target;
    var pick = t.closest && t.closest('input.pick');
    if (pick) {
      var a = pick.closest('.review-item');
      var all = items(), i = all.indexOf(a);
      if (ev.shiftKey && anchor >= 0) selectRange(anchor, i);
      else setSelected(a, pick.checked);
      anchor = i;
      update();
      return;
    }
    var grp = t.closest && t.closest('[data-select-group]');
    if (grp) { selectGroup(grp.getAttribute('data-select-group')); return; }
    var prev = t.closest && t.closest('a.preview');
    if (prev && dialog && dialog.showModal) {
      ev.preventDefault();
      showPreview(prev.closest('.review-item'));
      return;
    }
    var talk = t.closest && t.closest('#bulk-talks button[data-talk]');
    if (talk) { decide({ talk: talk.dataset.talk }, talk.textContent); return; }
    var act = t.closest && t.closest('[data-bulk]');
    if (!act) return;
    switch (act.getAttribute('data-bulk')) {
      case 'all': items().forEach(function (a) { setSelected(a, true); }); update(); break;
      case 'none': clear(); break;
      case 'untagged': decide({ untagged: true }, 'published without a talk'); break;
      case 'hide': decide({ hide: true }, 'hidden'); break;
    }
  });

  function clear() { items().forEach(function (a) { setSelected(a, false); }); update(); }

  function selectGroup(id) {
    var in_ = items().filter(function (a) { return a.dataset.group === id; });
    var all = in_.every(function (a) { return a.classList.contains('selected'); });
    in_.forEach(function (a) { setSelected(a, !all); });
    update();
  }

  function showPreview(a) {
    if (!a || !dialog || !dialog.showModal) return;
    var img = document.getElementById('preview-img');
    var thumb = a.querySelector('img.thumb');
    img.src = a.dataset.preview || (thumb ? thumb.src : '');
    img.alt = thumb ? thumb.alt : '';
    document.getElementById('preview-title').textContent = a.querySelector('h3').textContent.trim() + ' — ' + a.querySelector('.meta').textContent.trim();
    dialog.showModal();
  }

  query.addEventListener('input', update);
  query.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      var b = list.querySelector('button[data-talk]');
      if (b && !b.disabled) b.click();
    }
  });

  // Keyboard: on the grid, not while typing.
  document.addEventListener('keydown', function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t.closest && t.closest('input, textarea, select, dialog, summary')) return;
    if (t.tagName === 'BUTTON' && (ev.key === ' ' || ev.key === 'Enter')) return;
    var all = items();
    var cur = t.closest ? t.closest('.review-item') : null;
    var i = cur ? all.indexOf(cur) : -1;
    var cols = columns();
    var move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, j: 1, k: -1 }[ev.key];
    if (move !== undefined) {
      var n = Math.max(0, Math.min(all.length - 1, (i < 0 ? 0 : i + move)));
      if (!all[n]) return;
      ev.preventDefault();
      if (ev.shiftKey) {
        if (anchor < 0) anchor = Math.max(i, 0);
        selectRange(anchor, n);
        update();
      }
      focusItem(all[n]);
      return;
    }
    switch (ev.key) {
      case ' ': case 'x':
        if (!cur) return;
        ev.preventDefault();
        setSelected(cur, !cur.classList.contains('selected'));
        anchor = i;
        update();
        break;
      case 'g': if (cur) { selectGroup(cur.dataset.group); } break;
      case 'a': items().forEach(function (a) { setSelected(a, true); }); update(); break;
      case 'Escape': clear(); break;
      case 'p': case 'Enter': if (cur) { ev.preventDefault(); showPreview(cur); } break;
      case 't': ev.preventDefault(); query.focus(); break;
      case 'u': decide({ untagged: true }, 'published without a talk'); break;
      case 'h': decide({ hide: true }, 'hidden'); break;
    }
  });

  // columns is how many items one grid row holds, for up and down.
  function columns() {
    var all = items();
    if (all.length < 2) return 1;
    var top = all[0].getBoundingClientRect().top, n = 0;
    for (var i = 0; i < all.length && all[i].getBoundingClientRect().top === top; i++) n++;
    return Math.max(1, n);
  }

  var busy = false;
  function decide(decision, what) {
    var sel = selected();
    if (busy || sel.length === 0) {
      if (sel.length === 0) result.textContent = 'Select items first (click their boxes, or a group).';
      return;
    }
    if (decision.hide && !window.confirm('Hide ' + sel.length + ' items? Their public pictures are deleted.')) return;
    busy = true;
    result.textContent = 'Deciding ' + sel.length + ' items…';
    var body = { ids: sel.map(function (a) { return a.dataset.id; }) };
    Object.keys(decision).forEach(function (k) { body[k] = decision[k]; });
    fetch('/api/review/resolve', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (j) { return { ok: resp.ok, j: j }; });
    }).then(function (r) {
      busy = false;
      if (!r.ok) { result.textContent = (r.j && r.j.error) || 'The decision was refused.'; return; }
      var failed = [];
      (r.j.results || []).forEach(function (res) {
        var a = document.querySelector('.review-item[data-id="' + res.id + '"]');
        if (!a) return;
        if (res.error) { failed.push(a.querySelector('h3').textContent.trim() + ': ' + res.error); return; }
        setSelected(a, false);
        a.classList.add('done');
        a.remove();
      });
      document.querySelectorAll('.review-group').forEach(function (g) {
        if (!g.querySelector('.review-item')) g.remove();
      });
      var msg = r.j.done + ' ' + what + '.';
      if (failed.length) msg += ' ' + failed.length + ' not changed — ' + failed.join('; ');
      if (r.j.camera_note) msg += ' ' + r.j.camera_note;
      result.textContent = msg;
      var rest = items();
      if (rest[0]) { rest[0].tabIndex = 0; }
      update();
    }, function () {
      busy = false;
      result.textContent = 'The server could not be reached; nothing changed on this page. Try again.';
    });
  }

  // A group's camera clock: preview what an offset would re-tag, then
  // set it (PUT /api/cameras/{key}, which re-tags the camera's photos).
  document.querySelectorAll('details[data-offset-camera]').forEach(function (d) {
    d.hidden = false;
    var key = d.getAttribute('data-offset-camera');
    var form = d.querySelector('form');
    var input = form.querySelector('input[name=offset]');
    var apply = form.querySelector('.apply-offset');
    var out = d.querySelector('.offset-out');
    var shown = '';
    function api(method, path, body) {
      return fetch(path, {
        method: method, credentials: 'same-origin',
        headers: body ? { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf } : { 'X-CSRF-Token': csrf },
        body: body ? JSON.stringify(body) : undefined
      }).then(function (resp) {
        return resp.json().then(function (j) {
          if (!resp.ok) throw new Error((j && j.error) || resp.statusText);
          return j;
        });
      });
    }
    input.addEventListener('input', function () { apply.hidden = true; });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      out.textContent = 'Working out what changes…';
      api('GET', '/api/cameras/' + encodeURIComponent(key) + '/preview?offset=' + encodeURIComponent(input.value)).then(function (p) {
        shown = input.value;
        var byTo = {};
        p.changes.forEach(function (c) {
          var to = c.to_status + (c.to_talks.length ? ' ' + c.to_talks.join(', ') : '');
          byTo[to] = (byTo[to] || 0) + 1;
        });
        var parts = Object.keys(byTo).map(function (k) { return byTo[k] + ' → ' + k; });
        out.textContent = 'With ' + p.offset + ' (now ' + p.current + '): ' + p.changes.length + ' of ' + p.photos +
          ' photos would change' + (parts.length ? ' (' + parts.join('; ') + ')' : '') + ', ' + p.unchanged +
          ' stay as they are, ' + p.decided + ' keep a decision. ' +
          p.changes.slice(0, 8).map(function (c) { return c.source_name + ': ' + c.from_status + ' → ' + c.to_status + (c.to_talks.length ? ' ' + c.to_talks.join(', ') : ''); }).join('; ') +
          (p.changes.length > 8 ? '; …' : '');
        apply.hidden = p.changes.length === 0;
      }, function (e) { out.textContent = e.message; apply.hidden = true; });
    });
    apply.addEventListener('click', function () {
      apply.hidden = true;
      api('PUT', '/api/cameras/' + encodeURIComponent(key), { offset: shown }).then(function (r) {
        out.textContent = 'Set to ' + r.camera.offset + ': ' + r.retagged + ' photos are being tagged again. Reload the page to see the queue without them.';
      }, function (e) { out.textContent = e.message; });
    });
  });

  update();
})();
