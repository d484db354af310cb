// The settings page: sellers from the CRM (loaded after the page shows), the ladder's rows, the letter editor with
// its live preview, and the API key shown once. Saving goes through app.js's data-api forms.
// The layout loads page scripts before app.js (all deferred): start once every script has run.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var dataEl = document.getElementById('settings-data');
  if (!dataEl || !window.qrbill) return;
  var data = JSON.parse(dataEl.textContent);
  var words = data.i18n;
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function fill(text, vars) { return text.replace(/\{(\w+)\}/g, function (m, k) { return k in vars ? vars[k] : m; }); }

  // ── Sellers («Мои компании») and the portal's users ──
  var list = $('sellers-list');
  qrbill.api('GET', '/settings/crm').then(function (r) {
    list.setAttribute('aria-busy', 'false');
    list.textContent = '';
    if (r.status !== 200) { list.appendChild(el('p', { class: 'err', text: (r.body && r.body.message) || words['set.sellers.failed'] })); return; }
    if (!r.body.sellers.length) list.appendChild(el('p', { class: 'err', text: words['set.sellers.none'] }));
    var seller = $('n-seller');
    r.body.sellers.forEach(function (c) {
      var bad = c.problems.length > 0 || c.requisites.some(function (q) { return q.problems.length > 0; });
      var card = el('article', { class: 'seller' + (bad ? ' bad' : ''), 'data-company': c.id });
      var head = el('div', { class: 'seller-head' }, [
        el('strong', { text: c.title }),
        el('span', { class: 'state ' + (bad ? 'state-failed' : 'state-paid'), text: bad ? words['set.sellers.errors'] : words['set.sellers.ok'] }),
        el('a', { href: c.url, target: '_top', rel: 'noopener', text: words['set.sellers.fix'] + ' ↗' }),
      ]);
      card.appendChild(head);
      c.problems.forEach(function (p) { card.appendChild(el('p', { class: 'err', text: p.message })); });
      c.requisites.forEach(function (q) {
        var facts = [[words['set.sellers.inn'], q.inn], [words['set.sellers.kpp'], q.kpp], [words['set.sellers.bank'], q.bank], [words['set.sellers.account'], q.account]]
          .filter(function (f) { return f[1]; })
          .map(function (f) { return f[0] + ' ' + f[1]; }).join(' · ');
        card.appendChild(el('p', { class: 'seller-facts' }, [q.name !== c.title ? el('span', { text: q.name + ' · ' }) : null, el('span', { text: facts })]));
        if (q.problems.length) card.appendChild(el('ul', { class: 'err seller-problems' }, q.problems.map(function (p) { return el('li', { 'data-field': p.field, text: p.message }); })));
        // The numbering form may continue any of these sellers' numbers.
        var key = q.inn + '/' + (q.inn.length === 12 ? '' : q.kpp);
        if (seller && /^\d{10,12}$/.test(q.inn) && !Array.prototype.some.call(seller.options, function (o) { return o.value === key; })) {
          seller.appendChild(el('option', { value: key, text: key + ' — ' + q.name }));
        }
      });
      list.appendChild(card);
    });
    var known = $('users-known');
    if (known && r.body.users.length) {
      known.textContent = words['set.acc.users.known'] + ' ' + r.body.users.map(function (u) { return u.name + ' — ' + u.id; }).join(', ');
    }
  });

  // ── Fields that only mean something with another's value: the VAT rate, the penalty figures ──
  function dependent(controlId, ids, active) {
    var control = $(controlId);
    if (!control) return;
    var sync = function () { ids.forEach(function (id) { var f = $(id); if (f) f.disabled = !active(control.value); }); };
    control.addEventListener('change', sync);
    sync();
  }
  dependent('f-vat-mode', ['f-vat-rate'], function (v) { return v === 'included' || v === 'on_top'; });
  dependent('f-pen', ['f-pen-rate', 'f-pen-cap'], function (v) { return v === 'on'; });

  // ── Numbering: «Изменить» fills the form with the row ──
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('[data-seq-seller]');
    if (!b) return;
    $('n-seller').value = b.dataset.seqSeller;
    $('n-kind').value = b.dataset.seqKind;
    $('n-year').value = b.dataset.seqYear;
    var next = $('n-next');
    next.value = b.dataset.seqNext;
    next.focus();
    next.select();
  });

  // ── The ladder: add and remove steps; rows are numbered 0…n−1 so errors land on the right row ──
  var rows = $('ladder-rows');
  function renumber() {
    Array.prototype.forEach.call(rows.rows, function (tr, i) {
      tr.querySelectorAll('[name^="escalation."]').forEach(function (input) { input.name = input.name.replace(/^escalation\.\d+\./, 'escalation.' + i + '.'); });
    });
  }
  if (rows) {
    rows.addEventListener('click', function (ev) {
      var b = ev.target.closest('[data-remove-step]');
      if (!b) return;
      var tr = b.closest('tr');
      var focusTo = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      renumber();
      var f = focusTo ? focusTo.querySelector('input') : $('ladder-add');
      if (f) f.focus();
    });
    var add = $('ladder-add');
    if (add) add.addEventListener('click', function () {
      var last = rows.rows[rows.rows.length - 1];
      var tr;
      if (last) {
        tr = last.cloneNode(true);
        tr.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
        tr.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
        tr.querySelector('[name$=".day"]').value = '';
        tr.querySelector('[name$=".hour"]').value = '09:00';
      } else {
        tr = el('tr', {}, [
          el('td', {}, [el('input', { name: 'escalation.0.day', size: '4', inputmode: 'numeric' })]),
          el('td', {}, [el('input', { name: 'escalation.0.hour', size: '5', value: '09:00' })]),
          el('td', {}, [el('select', { name: 'escalation.0.action' }, data.ladderActions.map(function (a) { return el('option', { value: a.value, text: a.label }); }))]),
          el('td', {}, [el('button', { type: 'button', class: 'btn light small', 'data-remove-step': '', 'aria-label': words['set.ladder.remove'], text: '✕' })]),
        ]);
      }
      rows.appendChild(tr);
      renumber();
      tr.querySelector('input').focus();
    });
  }

  // ── Letters: the chosen template's text, its live preview from a real invoice ──
  var form = $('template-form');
  var pick = $('m-template'), subject = $('m-subject'), body = $('m-body');
  var byName = {};
  data.templates.forEach(function (t) { byName[t.name] = t; });
  function origin() {
    var t = byName[pick.value];
    var badge = $('m-origin');
    badge.textContent = t && t.own ? words['set.mail.own'] : words['set.mail.file'];
    badge.className = 'state' + (t && t.own ? ' state-sent' : '');
    var reset = $('m-reset');
    if (reset) reset.hidden = !(t && t.own);
  }
  var timer = null, asked = 0;
  function preview() {
    var n = ++asked;
    qrbill.api('POST', '/settings/email-preview', { template: pick.value, subject: subject.value, body: body.value }).then(function (r) {
      if (n !== asked) return;
      var empty = $('p-empty'), frame = $('p-body');
      if (r.status === 400 && r.body.issues) { qrbill.showErrors(form, r.body.issues); return; }
      form.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
      form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
      if (r.status !== 200 || r.body.empty) {
        empty.hidden = false;
        empty.textContent = (r.body && r.body.message) || String(r.status);
        frame.hidden = true;
        $('p-subject').textContent = '';
        return;
      }
      empty.hidden = true;
      frame.hidden = false;
      $('p-subject').textContent = r.body.subject;
      $('p-from').textContent = fill(words['set.mail.previewFrom'], { number: r.body.invoiceNumber, date: r.body.invoiceDate.split('-').reverse().join('.') });
      frame.srcdoc = r.body.html;
    });
  }
  function later() { clearTimeout(timer); timer = setTimeout(preview, 400); }
  if (form) {
    pick.addEventListener('change', function () {
      var t = byName[pick.value];
      subject.value = t.subject;
      body.value = t.body;
      origin();
      preview();
    });
    subject.addEventListener('input', later);
    body.addEventListener('input', later);
    form.addEventListener('qrbill:saved', function () {
      var t = byName[pick.value];
      t.own = true; t.subject = subject.value; t.body = body.value;
      origin();
    });
    var reset = $('m-reset');
    if (reset) reset.addEventListener('click', function () {
      qrbill.api('POST', '/settings/email-template', { template: pick.value, reset: true }).then(function (r) {
        if (r.status === 200) location.reload();
        else qrbill.flash((r.body && r.body.message) || String(r.status), true);
      });
    });
    origin();
    preview();
  }

  // ── API keys: the new key is shown once, here ──
  var keyForm = $('key-form');
  if (keyForm) keyForm.addEventListener('qrbill:saved', function (ev) {
    var shown = $('key-shown');
    $('key-shown-text').textContent = fill(words['set.keys.shown'], { label: ev.detail.info.label });
    $('key-value').textContent = ev.detail.key;
    shown.hidden = false;
    $('key-copy').focus();
  });
  var copy = $('key-copy');
  if (copy) copy.addEventListener('click', function () {
    var key = $('key-value').textContent;
    (navigator.clipboard ? navigator.clipboard.writeText(key) : Promise.reject()).then(function () { qrbill.flash(words['set.keys.copied']); }, function () {
      var range = document.createRange(); range.selectNodeContents($('key-value'));
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    });
  });
});
