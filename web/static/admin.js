// confmedia organizer and video team pages: small progressive
// enhancements. Every page works without this script except the file
// imports, which send the chosen files to the JSON API.
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  // Ask before destructive buttons.
  document.addEventListener('click', function (ev) {
    var el = ev.target.closest ? ev.target.closest('[data-confirm]') : null;
    if (el && !window.confirm(el.getAttribute('data-confirm'))) {
      ev.preventDefault();
    }
  });

  // Copy a field's text: the clipboard API where the page is a secure
  // context, else select it and use the older command.
  document.querySelectorAll('[data-copy]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var field = document.querySelector(btn.getAttribute('data-copy'));
      if (!field) return;
      var text = field.value || field.textContent;
      var done = function () { btn.textContent = 'Copied'; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {});
        return;
      }
      field.select();
      try { if (document.execCommand('copy')) done(); } catch (e) { /* the text stays selected */ }
    });
  });

  // File imports: each chosen file is sent as the body of a POST to the
  // form's data-import URL, with the file's name and the form's other
  // fields in the query.
  document.querySelectorAll('form[data-import]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var input = form.querySelector('input[type=file]');
      var out = form.querySelector('output');
      var button = form.querySelector('button[type=submit]');
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      var params = new URLSearchParams();
      form.querySelectorAll('input:not([type=file]), select').forEach(function (f) {
        if (f.type === 'checkbox' && !f.checked) return;
        if (f.name && f.value) params.set(f.name, f.value);
      });
      button.disabled = true;
      out.className = 'import-result';
      out.textContent = 'Importing…';
      var lines = [];
      var failed = false;
      var next = function (i) {
        if (i >= files.length) {
          button.disabled = false;
          out.textContent = lines.join('\n');
          out.className = 'import-result ' + (failed ? 'error' : 'ok');
          if (!failed && !params.has('dry_run')) setTimeout(function () { window.location.reload(); }, 1500);
          return;
        }
        var f = files[i];
        params.set('name', f.name);
        fetch(form.getAttribute('data-import') + '?' + params.toString(), {
          method: 'POST', body: f, credentials: 'same-origin',
          headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/octet-stream' }
        }).then(function (resp) {
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; },
            function () { return { ok: false, body: { error: resp.status + ' ' + resp.statusText } }; });
        }).then(function (r) {
          if (!r.ok) {
            failed = true;
            lines.push(f.name + ': ' + (r.body.error || 'failed'));
          } else {
            lines.push(summary(f.name, r.body));
          }
          next(i + 1);
        }, function (err) {
          failed = true;
          lines.push(f.name + ': ' + err);
          next(i + 1);
        });
      };
      next(0);
    });
  });

  function summary(name, b) {
    if (b.records !== undefined) {
      return name + ': ' + b.records + ' recordings, ' + b.changed + ' new or changed';
    }
    if (b.talks !== undefined && b.dry_run) {
      var lines = [name + ' (nothing imported): would add ' + b.added + ', change ' + b.changed + ' (' + b.moved +
        ' moved) and remove ' + b.removed + ' talks; ' + b.retagged + ' media would be tagged again'];
      (b.diff || []).forEach(function (d) {
        lines.push('  ' + d.change + ' ' + d.id + ' ' + JSON.stringify(d.title) + (d.detail ? ': ' + d.detail : ''));
      });
      if (b.replace_needed) lines.push('needs "Replace the schedule": ' + b.replace_needed.join('; '));
      return lines.join('\n');
    }
    if (b.talks !== undefined) {
      return name + ': ' + b.talks + ' talks, ' + b.speakers + ' speakers; ' + b.added + ' added, ' +
        b.changed + ' changed, ' + b.removed + ' removed';
    }
    return name + ': done';
  }
}());
