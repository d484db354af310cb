// The pages' one script. The session token lives in the page (meta tag), goes with every change in a header (a
// cross-site form cannot send it, so changes are safe from CSRF) and is swapped for a fresh one when the service
// renews it. Forms marked data-api are sent as JSON; errors come back per field and are shown next to it.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="qrbill-session"]');
  var lang = document.documentElement.lang || 'ru';
  var qrbill = (window.qrbill = {});
  qrbill.token = function () { return meta ? meta.content : ''; };
  function renew(res) {
    var fresh = res.headers.get('x-qrbill-session');
    if (!fresh || !meta) return;
    var old = meta.content;
    meta.content = fresh;
    document.querySelectorAll('a[href*="s="]').forEach(function (a) { a.href = a.href.replace(old, fresh); });
  }
  qrbill.flash = function (text, isError) {
    var el = document.getElementById('flash');
    if (!el) return;
    el.textContent = text;
    el.className = isError ? 'error' : '';
    el.hidden = false;
    clearTimeout(qrbill._flashTimer);
    qrbill._flashTimer = setTimeout(function () { el.hidden = true; }, isError ? 8000 : 3000);
  };
  /** fetch against /bitrix/app/api with the session; resolves {status, body}. */
  qrbill.api = function (method, path, body, opts) {
    opts = opts || {};
    var headers = { 'x-qrbill-session': qrbill.token(), accept: 'application/json' };
    var payload;
    if (body instanceof Blob || body instanceof ArrayBuffer) { headers['content-type'] = 'application/octet-stream'; payload = body; }
    else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
    return fetch('/bitrix/app/api' + path, { method: method, headers: headers, body: payload, credentials: 'omit' }).then(function (res) {
      renew(res);
      return res.text().then(function (t) {
        var parsed = null;
        try { parsed = t ? JSON.parse(t) : null; } catch (e) { parsed = { message: t }; }
        return { status: res.status, body: parsed };
      });
    });
  };
  /** An upload with progress (fetch has no upload progress): onProgress(0..1). */
  qrbill.upload = function (path, file, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/bitrix/app/api' + path);
      xhr.setRequestHeader('x-qrbill-session', qrbill.token());
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.onprogress = function (e) { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
      xhr.onload = function () {
        var fresh = xhr.getResponseHeader('x-qrbill-session');
        if (fresh && meta) meta.content = fresh;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = { message: xhr.responseText }; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = function () { reject(new Error('network')); };
      xhr.send(file);
    });
  };
  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
  }
  /** Shows a ValidationError's issues next to the fields they name (issue.path = the input's name). */
  qrbill.showErrors = function (form, issues) {
    clearErrors(form);
    var first = null;
    (issues || []).forEach(function (i) {
      var input = form.querySelector('[name="' + CSS.escape(i.path) + '"]');
      var msg = document.createElement('div');
      msg.className = 'field-error';
      msg.textContent = i.message;
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        msg.id = 'err-' + i.path.replace(/[^\w-]/g, '_');
        input.setAttribute('aria-describedby', msg.id);
        input.insertAdjacentElement('afterend', msg);
        if (!first) first = input;
      } else form.prepend(msg);
    });
    if (first) first.focus();
  };
  function formJson(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (el.type === 'checkbox') out[el.name] = el.checked;
      else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
      else out[el.name] = el.value;
    });
    return out;
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches('form[data-api]')) return;
    ev.preventDefault();
    var button = form.querySelector('[type=submit]');
    if (button) button.disabled = true;
    qrbill.api(form.dataset.method || 'POST', form.dataset.api, formJson(form)).then(function (r) {
      if (button) button.disabled = false;
      if (r.status >= 200 && r.status < 300) {
        clearErrors(form);
        qrbill.flash(form.dataset.saved || (lang === 'en' ? 'Saved' : 'Сохранено'));
        form.dispatchEvent(new CustomEvent('qrbill:saved', { detail: r.body }));
        if (form.dataset.reload !== undefined) location.reload();
      } else if (r.body && r.body.issues) qrbill.showErrors(form, r.body.issues);
      else qrbill.flash((r.body && r.body.message) || String(r.status), true);
    }, function () {
      if (button) button.disabled = false;
      qrbill.flash(lang === 'en' ? 'No connection to the service' : 'Нет связи с сервисом', true);
    });
  });
  /** Buttons with data-api-click call an action and reload (one-click match, re-send…). */
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('[data-api-click]');
    if (!b) return;
    ev.preventDefault();
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    b.disabled = true;
    qrbill.api(b.dataset.method || 'POST', b.dataset.apiClick, b.dataset.body ? JSON.parse(b.dataset.body) : {}).then(function (r) {
      if (r.status >= 200 && r.status < 300) {
        qrbill.flash(b.dataset.done || (lang === 'en' ? 'Done' : 'Готово'));
        setTimeout(function () { location.reload(); }, 400);
      } else { b.disabled = false; qrbill.flash((r.body && r.body.message) || String(r.status), true); }
    });
  });
})();
