// confmedia upload page: hash each file in the browser (SHA-256, streamed),
// skip what the server has, send the rest straight to the bucket with
// presigned requests (or through the web app when the bucket is out of
// reach), and keep the batch in localStorage so that a reload resumes it.
(function () {
  'use strict';

  var app = document.getElementById('upload-app');
  if (!app) return;

  var STORE_KEY = 'confmedia.upload.batch.v1';
  var TOKEN_KEY = 'confmedia.upload.token';
  var READ_CHUNK = 4 << 20;   // bytes read from a file at a time while hashing
  var HEAD_BYTES = 512;       // first bytes the server sniffs
  var PARALLEL = 3;           // files sent at once
  var CHECK_GROUP = 25;       // hashed files asked about at once
  var INSPECT_GROUP = 500;    // files inspected per request

  var cfg = {
    maxBytes: Number(app.dataset.maxBytes) || 0,
    partSize: Number(app.dataset.partSize) || (16 << 20),
    multipartFrom: Number(app.dataset.multipartFrom) || (64 << 20)
  };

  var el = function (id) { return document.getElementById(id); };
  // Forms that only hold settings never submit (in script: the pages'
  // policy runs no inline handlers).
  Array.prototype.forEach.call(document.querySelectorAll('form[data-nosubmit]'), function (f) {
    f.addEventListener('submit', function (ev) { ev.preventDefault(); });
  });
  var ui = {
    token: el('token'), kind: el('kind'), room: el('room'), photographer: el('photographer'), license: el('license'),
    offset: el('clock-offset'), speaker: el('speaker'), drop: el('drop-zone'),
    fileInput: el('file-input'), folderInput: el('folder-input'), folderLabel: el('folder-label'),
    start: el('start'), stop: el('stop'), clear: el('clear'), rows: el('file-rows'),
    progress: el('progress'), progressText: el('progress-text'), summary: el('summary'),
    resume: el('resume-note'), notice: el('notice'), error: el('error'), settings: el('batch-settings')
  };

  // ---- state -------------------------------------------------------------

  // batch is what survives a reload: the settings and, per file (keyed by
  // path, size and modification time), its id, part checksums, status and
  // multipart upload id. entries are the files chosen in this page view.
  var batch = loadBatch();
  var entries = [];          // {key, file, rec, row, head, sent}
  var byKey = {};
  var running = false, stopped = false;
  var activeXHR = [];
  var counters = { total: 0, hashed: 0, sent: 0 };
  var saveTimer = 0;

  var FINAL = { sent: true, duplicate: true, rejected: true };
  var LABEL = {
    waiting: 'Waiting', inspecting: 'Checking', hashing: 'Hashing', hashed: 'Waiting to send',
    sending: 'Sending', completing: 'Finishing', sent: 'Sent', duplicate: 'Already on the server',
    rejected: 'Rejected', failed: 'Failed', missing: 'Add this file again to send it'
  };

  function newBatch() { return { settings: {}, files: {}, proxy: false }; }

  function loadBatch() {
    try {
      var b = JSON.parse(localStorage.getItem(STORE_KEY) || 'null');
      if (b && b.files && b.settings) return b;
    } catch (e) { /* a corrupt or unavailable store starts afresh */ }
    return newBatch();
  }

  function saveBatch(now) {
    clearTimeout(saveTimer);
    var write = function () {
      try { localStorage.setItem(STORE_KEY, JSON.stringify(batch)); } catch (e) { /* full or private mode */ }
    };
    if (now) write(); else saveTimer = setTimeout(write, 300);
  }

  function fileKey(path, size, modified) { return path + '|' + size + '|' + modified; }

  // ---- helpers -------------------------------------------------------------

  function sizeText(n) {
    if (n < 1024) return n + ' B';
    var units = ['KiB', 'MiB', 'GiB', 'TiB'], i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
    return n.toFixed(n < 10 ? 1 : 0) + ' ' + units[i];
  }

  function b64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function hex(buf) {
    var b = new Uint8Array(buf), s = '';
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }

  function show(node, text) {
    if (!node) return;
    node.textContent = text || '';
    node.hidden = !text;
  }

  function settings() {
    return {
      kind: ui.kind.value,
      room: ui.kind.value === 'photo' ? ui.room.value : '',
      photographer: ui.photographer.value.trim(),
      license: ui.license.value.trim(),
      clock_offset: ui.kind.value === 'photo' ? ui.offset.value.trim() : '',
      speaker: ui.kind.value === 'headshot' ? ui.speaker.value.trim() : ''
    };
  }

  function applySettings(s) {
    if (!s) return;
    if (s.kind) ui.kind.value = s.kind;
    if (s.room !== undefined) ui.room.value = s.room;
    if (s.photographer) ui.photographer.value = s.photographer;
    if (s.license) ui.license.value = s.license;
    if (s.clock_offset !== undefined) ui.offset.value = s.clock_offset;
    if (s.speaker !== undefined) ui.speaker.value = s.speaker;
    kindChanged();
  }

  function kindChanged() {
    var kind = ui.kind.value;
    var labels = ui.settings.querySelectorAll('[data-for]');
    for (var i = 0; i < labels.length; i++) labels[i].hidden = labels[i].getAttribute('data-for') !== kind;
  }

  function authHeaders(h) {
    h = h || {};
    var token = ui.token ? ui.token.value.trim() : '';
    if (token) h.Authorization = 'Bearer ' + token;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    if (csrf && csrf.content) h['X-CSRF-Token'] = csrf.content;
    return h;
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // api calls the JSON API, retrying network failures and 503s. A failure
  // is an Error with .status (0 = no answer) and .kind.
  async function api(path, body) {
    var last;
    for (var attempt = 0; attempt < 4; attempt++) {
      if (attempt) await sleep(1000 * attempt * attempt);
      var resp;
      try {
        resp = await fetch(path, {
          method: 'POST', credentials: 'same-origin',
          headers: authHeaders({ 'Content-Type': 'application/json' }),
          body: JSON.stringify(body)
        });
      } catch (e) {
        last = Object.assign(new Error('the server cannot be reached'), { status: 0 });
        continue;
      }
      var data = null;
      try { data = await resp.json(); } catch (e) { /* not JSON */ }
      if (resp.ok) return data;
      last = Object.assign(new Error((data && data.error) || resp.statusText || ('HTTP ' + resp.status)),
        { status: resp.status, kind: data && data.kind });
      if (resp.status !== 503) break;
    }
    throw last;
  }

  // put sends body with a PUT, reporting progress; it resolves with the
  // status (0 when there was no answer: network failure or CORS refusal).
  function put(url, headers, body, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      activeXHR.push(xhr);
      var finish = function (status) {
        activeXHR = activeXHR.filter(function (x) { return x !== xhr; });
        resolve({ status: status, text: xhr.responseText || '' });
      };
      xhr.open('PUT', url);
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = function () { finish(xhr.status); };
      xhr.onerror = function () { finish(0); };
      xhr.onabort = function () { finish(-1); };
      xhr.send(body);
    });
  }

  // ---- hashing -------------------------------------------------------------

  var noHasher = 'This browser cannot hash files here: the WebAssembly hasher did not load and Web Crypto ' +
    'is only available over https or on localhost. Reload the page; if this persists, open it over https ' +
    'or use the confmedia upload command.';

  function hasher() {
    if (window.hashwasm && window.hashwasm.createSHA256 && window.WebAssembly) return 'wasm';
    if (window.isSecureContext && window.crypto && window.crypto.subtle) return 'webcrypto';
    return '';
  }

  // hashFile returns the file's SHA-256 (hex) and, when partSize is given,
  // the base64 SHA-256 of each partSize slice. It reads the file in chunks
  // with the WebAssembly hasher, or whole with Web Crypto.
  async function hashFile(file, partSize, onBytes) {
    var how = hasher();
    if (how === 'wasm') {
      var whole = await window.hashwasm.createSHA256();
      var part = partSize ? await window.hashwasm.createSHA256() : null;
      whole.init();
      if (part) part.init();
      var parts = [], off = 0;
      while (off < file.size) {
        if (stopped) throw Object.assign(new Error('stopped'), { stopped: true });
        var end = Math.min(off + READ_CHUNK, file.size);
        if (part) end = Math.min(end, (Math.floor(off / partSize) + 1) * partSize);
        var buf = new Uint8Array(await file.slice(off, end).arrayBuffer());
        whole.update(buf);
        if (part) {
          part.update(buf);
          if (end % partSize === 0 || end === file.size) {
            parts.push(b64(part.digest('binary')));
            part.init();
          }
        }
        onBytes(buf.length);
        off = end;
      }
      return { id: whole.digest('hex'), parts: parts };
    }
    if (how === 'webcrypto') {
      var data = await file.arrayBuffer();
      var out = { id: hex(await crypto.subtle.digest('SHA-256', data)), parts: [] };
      if (partSize) {
        for (var o = 0; o < data.byteLength; o += partSize) {
          var d = await crypto.subtle.digest('SHA-256', data.slice(o, Math.min(o + partSize, data.byteLength)));
          out.parts.push(b64(new Uint8Array(d)));
        }
      }
      onBytes(file.size);
      return out;
    }
    throw Object.assign(new Error(noHasher), { fatal: true });
  }

  // ---- rows ----------------------------------------------------------------

  function addRow(path, size) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-file', path);
    var name = document.createElement('td');
    name.className = 'upload-name';
    name.textContent = path;
    var sz = document.createElement('td');
    sz.className = 'muted';
    sz.textContent = sizeText(size);
    var st = document.createElement('td');
    var status = document.createElement('span');
    status.className = 'file-status';
    status.setAttribute('data-testid', 'file-status');
    var why = document.createElement('span');
    why.className = 'file-reason muted';
    st.appendChild(status);
    st.appendChild(document.createTextNode(' '));
    st.appendChild(why);
    tr.appendChild(name);
    tr.appendChild(sz);
    tr.appendChild(st);
    ui.rows.appendChild(tr);
    return tr;
  }

  function paintRow(tr, rec) {
    var status = tr.querySelector('.file-status');
    status.textContent = LABEL[rec.status] || rec.status;
    status.setAttribute('data-status', rec.status);
    status.className = 'file-status status-' + rec.status;
    tr.querySelector('.file-reason').textContent = rec.reason || '';
    tr.setAttribute('data-status', rec.status);
  }

  function setStatus(e, status, reason) {
    e.rec.status = status;
    e.rec.reason = reason || '';
    if (e.row) paintRow(e.row, e.rec);
    saveBatch();
  }

  function progress() {
    var total = counters.total * 2;
    ui.progress.max = total || 1;
    ui.progress.value = Math.min(total, counters.hashed + counters.sent);
    var n = { done: 0, all: 0 };
    entries.forEach(function (e) {
      if (e.rec.status === 'rejected') return;
      n.all++;
      if (e.rec.status === 'sent' || e.rec.status === 'duplicate') n.done++;
    });
    var text = entries.length === 0 ? 'No files yet.' : n.done + ' of ' + n.all + ' files done';
    if (counters.total) text += ' · ' + sizeText(Math.min(counters.sent, counters.total)) + ' of ' + sizeText(counters.total) + ' sent or skipped';
    ui.progressText.textContent = text;
  }

  // ---- choosing files --------------------------------------------------------

  function hidden(path) {
    return path.split('/').some(function (seg) { return seg.charAt(0) === '.'; }) ||
      /(^|\/)(Thumbs\.db|desktop\.ini)$/i.test(path);
  }

  function addFiles(list) {
    if (running) return;
    var added = 0;
    list = list.slice().sort(function (a, b) {
      var pa = a.path || a.file.name, pb = b.path || b.file.name;
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    list.forEach(function (it) {
      var path = it.path || it.file.name;
      if (hidden(path)) return;
      var key = fileKey(path, it.file.size, it.file.lastModified);
      if (byKey[key] && byKey[key].file) return; // chosen twice
      var rec = batch.files[key];
      if (!rec) rec = batch.files[key] = { path: path, size: it.file.size, status: 'waiting' };
      if (!FINAL[rec.status]) rec.status = 'waiting';
      var e = byKey[key];
      if (e) {
        e.file = it.file;
      } else {
        e = { key: key, file: it.file, rec: rec, row: addRow(path, it.file.size), sent: 0 };
        entries.push(e);
        byKey[key] = e;
      }
      paintRow(e.row, rec);
      added++;
    });
    saveBatch();
    updateResumeNote();
    ui.start.disabled = !entries.some(function (e) { return e.file && !FINAL[e.rec.status]; });
    ui.summary.hidden = true;
    progress();
    return added;
  }

  function readAll(reader) {
    return new Promise(function (resolve) {
      var all = [];
      var next = function () {
        reader.readEntries(function (batch) {
          if (!batch.length) return resolve(all);
          all = all.concat(Array.prototype.slice.call(batch));
          next();
        }, function () { resolve(all); });
      };
      next();
    });
  }

  async function walk(entry, prefix, out) {
    if (entry.name.charAt(0) === '.') return;
    if (entry.isFile) {
      await new Promise(function (resolve) {
        entry.file(function (f) { out.push({ file: f, path: prefix + f.name }); resolve(); }, function () { resolve(); });
      });
    } else if (entry.isDirectory) {
      var children = await readAll(entry.createReader());
      for (var i = 0; i < children.length; i++) await walk(children[i], prefix + entry.name + '/', out);
    }
  }

  async function dropped(dt) {
    var roots = [];
    if (dt.items && dt.items.length && dt.items[0].webkitGetAsEntry) {
      // Entries must be taken before the first await: the drop data goes
      // away when the event handler returns.
      for (var i = 0; i < dt.items.length; i++) {
        var en = dt.items[i].kind === 'file' && dt.items[i].webkitGetAsEntry();
        if (en) roots.push(en);
      }
      var out = [];
      for (var j = 0; j < roots.length; j++) await walk(roots[j], '', out);
      return out;
    }
    return Array.prototype.map.call(dt.files, function (f) { return { file: f, path: f.name }; });
  }

  // ---- the batch ---------------------------------------------------------------

  function uploadBody(e, extra) {
    var b = Object.assign({}, batch.settings, {
      id: e.rec.id, name: e.rec.path.split('/').pop(), size: e.rec.size, head: e.head || ''
    });
    if (e.rec.parts && e.rec.parts.length) b.part_sha256 = e.rec.parts;
    if (e.rec.uploadId) b.upload_id = e.rec.uploadId;
    return Object.assign(b, extra || {});
  }

  function reasonOf(e, err) {
    var name = e.rec.path.split('/').pop();
    var msg = (err && err.message) || String(err);
    return msg.indexOf(name + ': ') === 0 ? msg.slice(name.length + 2) : msg;
  }

  function fatal(message) {
    stopped = true;
    show(ui.error, message);
    activeXHR.slice().forEach(function (x) { x.abort(); });
  }

  function failed(e, err) {
    if (err && (err.status === 401 || err.status === 403)) {
      fatal('The server refused your ' + (ui.token ? 'token' : 'sign-in') + ': ' + err.message);
      setStatus(e, 'waiting');
      return;
    }
    if (err && (err.status === 400 || err.status === 413)) return setStatus(e, 'rejected', reasonOf(e, err));
    setStatus(e, 'failed', reasonOf(e, err));
  }

  function addSent(e, n) {
    counters.sent += n - e.sent;
    e.sent = n;
    progress();
  }

  // readHeads reads each file's first bytes, which the server sniffs.
  async function readHeads(list) {
    for (var i = 0; i < list.length; i += 50) {
      await Promise.all(list.slice(i, i + 50).map(async function (e) {
        if (e.head !== undefined) return;
        try {
          e.head = b64(new Uint8Array(await e.file.slice(0, HEAD_BYTES).arrayBuffer()));
        } catch (err) {
          e.head = '';
        }
      }));
    }
  }

  // inspect asks the server whether the settings and files are acceptable;
  // refused files are marked with the reason. It returns false when the
  // settings are refused.
  async function inspect(list) {
    await readHeads(list);
    for (var i = 0; i < list.length; i += INSPECT_GROUP) {
      var group = list.slice(i, i + INSPECT_GROUP);
      var resp = await api('/api/uploads/inspect', Object.assign({}, batch.settings, {
        files: group.map(function (e) { return { name: e.rec.path.split('/').pop(), size: e.file.size, head: e.head }; })
      }));
      resp.files.forEach(function (r, j) {
        if (r.error) setStatus(group[j], 'rejected', r.error);
      });
    }
  }

  // The queue between hashing and sending.
  var sendQueue = [], waiters = [], hashingDone = false;
  function wake() { var w = waiters; waiters = []; w.forEach(function (f) { f(); }); }
  function enqueue(e) { sendQueue.push(e); wake(); }

  async function sender() {
    for (;;) {
      if (stopped) return;
      var e = sendQueue.shift();
      if (e) {
        try {
          await send(e, 0);
        } catch (err) {
          failed(e, err);
        }
        continue;
      }
      if (hashingDone) return;
      await new Promise(function (r) { waiters.push(r); });
    }
  }

  // check asks which of the hashed files the server has; the others go to
  // the senders. Two files of the batch with the same bytes are sent once.
  var seenIDs = {};
  async function check(group) {
    if (!group.length) return;
    var ids = [];
    group.forEach(function (e) { if (ids.indexOf(e.rec.id) < 0) ids.push(e.rec.id); });
    var resp;
    try {
      resp = await api('/api/media/check', { ids: ids, room: batch.settings.room, speaker: batch.settings.speaker });
    } catch (err) {
      group.forEach(function (e) { failed(e, err); });
      return;
    }
    var known = {};
    (resp.known || []).forEach(function (id) { known[id] = true; });
    var has = {};
    (resp.items || []).forEach(function (it) { has[it.id] = it; });
    group.forEach(function (e) {
      if (known[e.rec.id]) {
        setStatus(e, 'duplicate', otherKind(has[e.rec.id], batch.settings, resp.speaker));
        addSent(e, e.rec.size);
      } else if (seenIDs[e.rec.id] && seenIDs[e.rec.id] !== e) {
        setStatus(e, 'duplicate', 'same file as ' + seenIDs[e.rec.id].rec.path);
        addSent(e, e.rec.size);
      } else {
        seenIDs[e.rec.id] = e;
        enqueue(e);
      }
    });
  }

  // otherKind says what the server has when it is another kind (or a
  // headshot of another speaker) than this batch asks for, and who can
  // change it; '' when it is what the batch asks for.
  function otherKind(it, set, speaker) {
    if (!it) return '';
    var want = set.kind === 'headshot' ? 'headshot' : 'photo';
    var sameSpeaker = want !== 'headshot' || !speaker || (it.speaker || '').toLowerCase() === speaker.toLowerCase();
    if (it.kind === want && sameSpeaker) return '';
    var what = it.kind === 'headshot' ? 'a headshot' + (it.speaker ? ' of ' + it.speaker : '') : 'an event photo';
    return 'NOT uploaded again: already uploaded on ' + String(it.uploaded_at || '').slice(0, 10) + ' as ' + what +
      (it.photographer ? ' by ' + it.photographer : '') + ' (id ' + it.id.slice(0, 12) + '). ' +
      'An organizer can change its kind on the review page, or with: confmedia media set-kind ' + it.id.slice(0, 12) +
      ' --kind ' + want + (want === 'headshot' && speaker ? " --speaker '" + speaker + "'" : '');
  }

  async function hashAll(list) {
    var group = [];
    for (var i = 0; i < list.length; i++) {
      if (stopped) break;
      var e = list[i];
      var multipart = e.file.size >= cfg.multipartFrom;
      if (!e.rec.id || (multipart && !(e.rec.parts && e.rec.parts.length))) {
        setStatus(e, 'hashing');
        var before = counters.hashed;
        try {
          var h = await hashFile(e.file, multipart ? cfg.partSize : 0, function (n) { counters.hashed += n; progress(); });
          e.rec.id = h.id;
          e.rec.parts = h.parts;
        } catch (err) {
          counters.hashed = before + e.file.size;
          if (err.fatal) { fatal(err.message); break; }
          if (err.stopped) break;
          setStatus(e, 'failed', 'cannot read the file: ' + err.message);
          continue;
        }
      } else {
        counters.hashed += e.file.size;
      }
      setStatus(e, 'hashed');
      progress();
      group.push(e);
      if (group.length >= CHECK_GROUP) { await check(group); group = []; }
    }
    await check(group);
  }

  function proxyNotice() {
    show(ui.notice, 'The storage server cannot be reached from this browser, so files now go through the web app. ' +
      'This is slower but works the same.');
  }

  // stored marks a file the server has after this batch sent it. The check
  // before sending said the server did not have it, so a "duplicate" answer
  // means an earlier attempt of this batch stored it (its answer was lost):
  // it is sent, not already on the server. A file stored while the server's
  // queue is away (queued: false) is sent too, and processed later.
  function stored(e, out) {
    setStatus(e, 'sent', out.queued === false ? 'stored; processed when the queue is back' : '');
    addSent(e, e.rec.size);
  }

  // send plans and sends one file, then completes it.
  async function send(e, attempt) {
    setStatus(e, 'sending');
    addSent(e, 0);
    var plan = await api('/api/uploads', uploadBody(e, batch.proxy ? { proxy: true } : null));
    if (plan.mode === 'duplicate') return stored(e, {});
    if (plan.mode === 'proxy') {
      var r = await put(plan.url, authHeaders({ 'Content-Type': plan.content_type || 'application/octet-stream' }), e.file,
        function (n) { addSent(e, n); });
      if (r.status >= 200 && r.status < 300) { // 202: stored, waiting for the queue
        var out = {};
        try { out = JSON.parse(r.text); } catch (err) { /* keep {} */ }
        return stored(e, out);
      }
      if (r.status === -1) return setStatus(e, 'waiting');
      var msg = 'the server did not answer';
      try { msg = JSON.parse(r.text).error || msg; } catch (err) { /* keep */ }
      throw Object.assign(new Error(msg), { status: r.status });
    }

    if (plan.mode === 'multipart') {
      e.rec.uploadId = plan.upload_id;
      saveBatch(true);
    }
    var pieces = plan.mode === 'put' ?
      [{ url: plan.url, header: plan.header, start: 0, end: e.file.size }] :
      plan.parts.map(function (p) {
        var start = (p.n - 1) * plan.part_size;
        return { url: p.url, header: p.header, start: start, end: start + p.size, done: p.done };
      });
    var base = 0;
    pieces.forEach(function (p) { if (p.done) base += p.end - p.start; });
    addSent(e, base);
    for (var i = 0; i < pieces.length; i++) {
      var p = pieces[i];
      if (p.done) continue;
      var body = plan.mode === 'put' ? e.file : e.file.slice(p.start, p.end);
      var res = await put(p.url, p.header, body, function (n) { addSent(e, base + n); });
      if (res.status === -1) return setStatus(e, 'waiting');
      if (res.status === 0) {
        // No answer from the bucket: out of reach or refused by CORS.
        if (attempt < 3) {
          if (!batch.proxy) {
            batch.proxy = true;
            saveBatch(true);
            proxyNotice();
          }
          return send(e, attempt + 1);
        }
        throw Object.assign(new Error('the storage server cannot be reached'), { status: 0 });
      }
      if (res.status === 403 && attempt < 2) return send(e, attempt + 1); // expired: sign again
      if (res.status < 200 || res.status > 299) {
        if (/BadDigest|XAmzContentSHA256Mismatch|Checksum/i.test(res.text)) {
          e.rec.id = '';
          e.rec.parts = [];
          throw Object.assign(new Error('the file changed after it was hashed; add it again'), { status: 400 });
        }
        var code = (/<Code>([^<]+)<\/Code>/.exec(res.text) || [])[1] || ('HTTP ' + res.status);
        throw Object.assign(new Error('the storage server refused the file (' + code + ')'), { status: 502 });
      }
      base += p.end - p.start;
      addSent(e, base);
    }

    setStatus(e, 'completing');
    try {
      var done = await api('/api/uploads/' + e.rec.id + '/complete', uploadBody(e));
      e.rec.uploadId = '';
      stored(e, done);
    } catch (err) {
      if (err.status === 409 && attempt < 2) return send(e, attempt + 1); // a part went missing: resend
      if (err.status === 404 && e.rec.uploadId) { e.rec.uploadId = ''; if (attempt < 2) return send(e, attempt + 1); }
      throw err;
    }
  }

  async function start() {
    if (running) return;
    if (!hasher()) { show(ui.error, noHasher); return; }
    if (ui.token && !ui.token.value.trim()) { show(ui.error, 'Sign in with the link an organizer gave you, or paste your upload token first.'); ui.token.focus(); return; }
    batch.settings = settings(); // they apply to the files not sent yet
    saveBatch(true);
    running = true;
    stopped = false;
    hashingDone = false;
    sendQueue = [];
    seenIDs = {};
    show(ui.error, '');
    ui.summary.hidden = true;
    setRunning(true);

    var todo = entries.filter(function (e) { return e.file && !FINAL[e.rec.status]; });
    todo.forEach(function (e) { e.sent = 0; setStatus(e, 'inspecting'); });
    counters = { total: 0, hashed: 0, sent: 0 };
    try {
      await inspect(todo);
    } catch (err) {
      todo.forEach(function (e) { if (e.rec.status === 'inspecting') setStatus(e, 'waiting'); });
      if (err.status === 401 || err.status === 403) fatal('The server refused your ' + (ui.token ? 'token' : 'sign-in') + ': ' + err.message);
      else show(ui.error, err.message);
      finish();
      return;
    }
    var accepted = todo.filter(function (e) { return e.rec.status !== 'rejected'; });
    accepted.forEach(function (e) { counters.total += e.file.size; setStatus(e, 'waiting'); });
    progress();

    var senders = [];
    for (var i = 0; i < PARALLEL; i++) senders.push(sender());
    await hashAll(accepted);
    hashingDone = true;
    wake();
    await Promise.all(senders);
    finish();
  }

  function finish() {
    running = false;
    entries.forEach(function (e) {
      if (e.rec.status === 'hashing' || e.rec.status === 'sending' || e.rec.status === 'completing' ||
          e.rec.status === 'hashed' || e.rec.status === 'inspecting') setStatus(e, 'waiting');
    });
    saveBatch(true);
    setRunning(false);
    summarize();
    progress();
  }

  function setRunning(on) {
    ui.start.disabled = on;
    ui.stop.hidden = !on;
    ui.clear.disabled = on;
    ui.fileInput.disabled = on;
    ui.folderInput.disabled = on;
    var fields = ui.settings.querySelectorAll('input, select');
    for (var i = 0; i < fields.length; i++) fields[i].disabled = on;
    ui.drop.classList.toggle('busy', on);
    if (!on) {
      ui.start.textContent = entries.some(function (e) { return e.file && !FINAL[e.rec.status]; }) ? 'Send the rest' : 'Start upload';
      ui.start.disabled = !entries.some(function (e) { return e.file && !FINAL[e.rec.status]; });
    }
  }

  function summarize() {
    var count = { sent: 0, duplicate: 0, rejected: 0, failed: 0, waiting: 0 };
    var problems = [];
    entries.forEach(function (e) {
      var s = e.rec.status;
      if (s in count) count[s]++; else count.waiting++;
      if (s === 'rejected' || s === 'failed') problems.push(e);
    });
    var box = ui.summary;
    box.textContent = '';
    var h = document.createElement('h2');
    h.textContent = count.failed || count.waiting ? 'Not finished' : 'Done';
    box.appendChild(h);
    var p = document.createElement('p');
    p.textContent = count.sent + ' sent, ' + count.duplicate + ' already on the server, ' + count.rejected + ' rejected' +
      (count.failed ? ', ' + count.failed + ' failed (press “Send the rest” to try again)' : '') +
      (count.waiting ? ', ' + count.waiting + ' not sent yet' : '') + '.';
    box.appendChild(p);
    ['sent', 'duplicate', 'rejected', 'failed', 'waiting'].forEach(function (k) { box.setAttribute('data-' + k, String(count[k])); });
    if (problems.length) {
      var ul = document.createElement('ul');
      ul.className = 'upload-problems';
      problems.forEach(function (e) {
        var li = document.createElement('li');
        li.setAttribute('data-file', e.rec.path);
        li.textContent = e.rec.path + ': ' + (e.rec.status === 'failed' ? 'failed, ' : '') + (e.rec.reason || e.rec.status);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.hidden = false;
  }

  // ---- resuming ------------------------------------------------------------------

  function updateResumeNote() {
    var waiting = entries.filter(function (e) { return !e.file && !FINAL[e.rec.status]; }).length;
    if (!waiting) { show(ui.resume, ''); return; }
    var done = entries.filter(function (e) { return FINAL[e.rec.status]; }).length;
    show(ui.resume, 'An unfinished batch was found: ' + done + ' of ' + entries.length + ' files are done. ' +
      'Choose or drop the same files or folder again to send the other ' + waiting + '; nothing is sent twice.');
  }

  // restore shows the saved batch and asks the server which of its files
  // arrived meanwhile.
  async function restore() {
    applySettings(batch.settings);
    Object.keys(batch.files).forEach(function (key) {
      var rec = batch.files[key];
      var e = { key: key, file: null, rec: rec, row: addRow(rec.path, rec.size), sent: 0 };
      if (!FINAL[rec.status]) rec.status = 'missing';
      entries.push(e);
      byKey[key] = e;
      paintRow(e.row, rec);
    });
    updateResumeNote();
    progress();
    var pending = entries.filter(function (e) { return e.rec.id && !FINAL[e.rec.status]; });
    if (!pending.length || (ui.token && !ui.token.value.trim())) return;
    try {
      var resp = await api('/api/media/check', { ids: pending.map(function (e) { return e.rec.id; }) });
      var known = {};
      (resp.known || []).forEach(function (id) { known[id] = true; });
      pending.forEach(function (e) { if (known[e.rec.id]) setStatus(e, 'sent'); });
      updateResumeNote();
      progress();
    } catch (err) { /* the next start asks again */ }
  }

  async function clearAll() {
    if (running) return;
    var open = entries.filter(function (e) { return e.rec.uploadId && e.rec.id && !FINAL[e.rec.status]; });
    await Promise.all(open.map(function (e) {
      return api('/api/uploads/' + e.rec.id + '/abort', { upload_id: e.rec.uploadId }).catch(function () {});
    }));
    var s = batch.settings;
    batch = newBatch();
    batch.settings = s;
    entries = [];
    byKey = {};
    ui.rows.textContent = '';
    ui.summary.hidden = true;
    show(ui.resume, '');
    show(ui.notice, '');
    show(ui.error, '');
    counters = { total: 0, hashed: 0, sent: 0 };
    saveBatch(true);
    setRunning(false);
    progress();
  }

  // ---- wiring ----------------------------------------------------------------------

  if (ui.token) {
    try { ui.token.value = localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { /* no storage */ }
    ui.token.addEventListener('change', function () {
      try { localStorage.setItem(TOKEN_KEY, ui.token.value.trim()); } catch (e) { /* no storage */ }
    });
  }
  if (!('webkitdirectory' in ui.folderInput)) {
    ui.folderInput.hidden = true;
    ui.folderLabel.hidden = true;
  }
  ui.kind.addEventListener('change', kindChanged);
  ui.fileInput.addEventListener('change', function () {
    addFiles(Array.prototype.map.call(ui.fileInput.files, function (f) { return { file: f, path: f.name }; }));
    ui.fileInput.value = '';
  });
  ui.folderInput.addEventListener('change', function () {
    addFiles(Array.prototype.map.call(ui.folderInput.files, function (f) { return { file: f, path: f.webkitRelativePath || f.name }; }));
    ui.folderInput.value = '';
  });
  ['dragenter', 'dragover'].forEach(function (t) {
    ui.drop.addEventListener(t, function (ev) {
      ev.preventDefault();
      if (!running) ui.drop.classList.add('over');
    });
  });
  ui.drop.addEventListener('dragleave', function () { ui.drop.classList.remove('over'); });
  ui.drop.addEventListener('drop', function (ev) {
    ev.preventDefault();
    ui.drop.classList.remove('over');
    if (running) return;
    dropped(ev.dataTransfer).then(addFiles);
  });
  ui.drop.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); ui.fileInput.click(); }
  });
  ui.start.addEventListener('click', start);
  ui.stop.addEventListener('click', function () {
    stopped = true;
    activeXHR.slice().forEach(function (x) { x.abort(); });
    wake();
  });
  ui.clear.addEventListener('click', clearAll);
  window.addEventListener('beforeunload', function (ev) {
    saveBatch(true);
    if (running) { ev.preventDefault(); ev.returnValue = ''; }
  });
  if (batch.proxy) proxyNotice();
  if (!hasher()) show(ui.error, noHasher);
  restore();
})();
