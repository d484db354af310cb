// The statement upload of the payments page: the file goes up with a progress bar (qrbill.upload), then the page
// says the service is working on it, then draws what was decided for every document of the statement.
(function () {
  'use strict';
  var form = document.getElementById('statement-form');
  if (!form) return; // read-only view: no upload
  var words = JSON.parse(document.getElementById('pay-words').textContent || '{}');
  var t = function (key, vars) {
    return (words[key] || key).replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? String(vars[k]) : m; });
  };
  var input = document.getElementById('statement');
  var status = document.getElementById('upload-status');
  var bar = document.getElementById('upload-progress');
  var text = document.getElementById('upload-text');
  var box = document.getElementById('decisions');
  var fileName = document.getElementById('statement-name');
  input.addEventListener('change', function () {
    fileName.textContent = input.files && input.files[0] ? input.files[0].name : t('pay.noFile');
  });
  var lang = document.documentElement.lang === 'en' ? 'en-GB' : 'ru-RU';
  var rub = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function money(decimal) { return rub.format(Number(decimal)) + '\u00a0₽'; }
  function day(iso) {
    if (!iso) return '—';
    var p = iso.slice(0, 10).split('-');
    return lang === 'ru-RU' ? p[2] + '.' + p[1] + '.' + p[0] : p[2] + '/' + p[1] + '/' + p[0];
  }
  function cell(tr, value, cls) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    if (value instanceof Node) td.appendChild(value); else td.textContent = value;
    tr.appendChild(td);
    return td;
  }
  function show(result) {
    var tbody = box.querySelector('tbody');
    tbody.textContent = '';
    (result.decisions || []).forEach(function (d) {
      var tr = document.createElement('tr');
      tr.dataset.result = d.result;
      cell(tr, day(d.date));
      cell(tr, d.number);
      var payer = document.createElement('span');
      payer.textContent = d.payer_name || '';
      var inn = document.createElement('div');
      inn.className = 'hint';
      inn.textContent = t('pay.inn') + ' ' + d.payer_inn;
      var who = document.createElement('div');
      who.appendChild(payer); who.appendChild(inn);
      cell(tr, who);
      cell(tr, money(d.amount), 'num');
      var badge = document.createElement('span');
      badge.className = 'res res-' + d.result;
      badge.textContent = t('pay.res.' + d.result);
      cell(tr, badge);
      // A manual decision names only the likeliest invoice: not to be read as paid.
      cell(tr, !d.invoice_number ? '—' : d.result === 'manual' ? t('pay.maybe', { number: d.invoice_number }) : '№ ' + d.invoice_number);
      cell(tr, d.reason || '', 'reason');
      tbody.appendChild(tr);
    });
    var counts = result.counts || {};
    document.getElementById('decision-counts').textContent = Object.keys(counts)
      .filter(function (k) { return counts[k] > 0; })
      .map(function (k) { return t('pay.res.' + k) + ': ' + counts[k]; })
      .join(' · ');
    box.hidden = false;
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { qrbill.showErrors(form, [{ path: 'statement', message: t('pay.fileRequired') }]); return; }
    qrbill.showErrors(form, []);
    var button = form.querySelector('[type=submit]');
    button.disabled = true;
    box.hidden = true;
    status.hidden = false;
    status.className = 'upload-status';
    bar.value = 0;
    text.textContent = t('pay.uploading', { p: 0 });
    qrbill.upload('/statements', file, function (share) {
      bar.value = Math.round(share * 100);
      if (share < 1) text.textContent = t('pay.uploading', { p: Math.round(share * 100) });
      else {
        // Sent; the answer comes once the statement is decided. An indeterminate bar says "working".
        bar.removeAttribute('value');
        status.className = 'upload-status processing';
        text.textContent = t('pay.processing');
      }
    }).then(function (r) {
      button.disabled = false;
      bar.value = 100;
      if (r.status >= 200 && r.status < 300) {
        status.className = 'upload-status done';
        text.textContent = t('pay.done', { n: (r.body.decisions || []).length });
        show(r.body);
      } else {
        status.className = 'upload-status failed';
        text.textContent = t('pay.failed');
        if (r.body && r.body.issues) qrbill.showErrors(form, r.body.issues);
        else qrbill.flash((r.body && r.body.message) || String(r.status), true);
      }
    }, function () {
      button.disabled = false;
      status.className = 'upload-status failed';
      text.textContent = t('pay.noConnection');
    });
  });
})();
