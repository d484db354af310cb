// The deal tab's «send again» buttons. Each click carries an id the service sends one letter for: the same id
// again (a double click that got through, a retried request) gets the letter already sent, never a second one.
// The id is kept until the service gives a definite answer, so retrying after a lost answer is still one letter.
(function () {
  'use strict';
  var textsEl = document.getElementById('deal-texts');
  var texts = textsEl ? JSON.parse(textsEl.textContent || '{}') : {};
  function newClickId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('[data-resend]');
    if (!b || b.disabled) return;
    ev.preventDefault();
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    if (!b.dataset.clickId) b.dataset.clickId = newClickId();
    var label = b.textContent;
    b.disabled = true;
    b.setAttribute('aria-busy', 'true');
    b.textContent = texts.sending || '…';
    window.qrbill.api('POST', b.dataset.resend, { clickId: b.dataset.clickId }).then(function (r) {
      b.textContent = label;
      b.removeAttribute('aria-busy');
      if (r.status >= 200 && r.status < 300) {
        var body = r.body || {};
        if (body.queued) { window.qrbill.flash(body.message); return; }
        var to = (body.recipients || []).join(', ');
        window.qrbill.flash(body.duplicate ? texts.alreadySent : String(texts.resent || '').replace('{to}', to));
        setTimeout(function () { location.reload(); }, 1200);
        return;
      }
      // A definite refusal (no client e-mail, no rights…): nothing went out, the next click is a new letter.
      if (r.status < 500) delete b.dataset.clickId;
      b.disabled = false;
      window.qrbill.flash((r.body && r.body.message) || String(r.status), true);
    }, function () {
      b.textContent = label;
      b.removeAttribute('aria-busy');
      b.disabled = false;
      window.qrbill.flash(document.documentElement.lang === 'en' ? 'No connection to the service' : 'Нет связи с сервисом', true);
    });
  });
})();
