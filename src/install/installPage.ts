import Handlebars from 'handlebars';
import type { InstallReport } from './installPortal.js';

const hbs = Handlebars.create();

// The page runs inside the portal frame; BX24.installFinish() tells Bitrix24 the app is ready
// (until then events are not delivered and users see "not fully installed", b24restdocs: settings/app-installation/installation-finish.md).
const template = hbs.compile(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>QR-биллинг — установка</title>
<script src="//api.bitrix24.com/api/v1/"></script>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#222}.err{color:#b00020}code{background:#f3f3f3;padding:1px 4px}</style>
</head><body>
{{#if ok}}
<h1>QR-биллинг установлен</h1>
{{#if report}}<p>Роботы: добавлено {{report.robots.added.length}}, обновлено {{report.robots.updated.length}}, без изменений {{report.robots.unchanged.length}}.
Поля сделки: создано {{report.userFields.created.length}}, уже были {{report.userFields.existing.length}}.</p>{{/if}}
<p>Добавьте роботов «QR-биллинг» на стадии воронки в разделе «Роботы и триггеры».</p>
{{#if report}}
<script>if (window.BX24) { BX24.init(function () { BX24.installFinish(); }); }</script>
{{else}}
<p id="state">Регистрируем роботов…</p>
<script>
// Opened by GET inside the portal frame: hand the frame's tokens to the service, then finish.
if (window.BX24) BX24.init(function () {
  var a = BX24.getAuth(), state = document.getElementById('state');
  var body = new URLSearchParams({
    'auth[access_token]': a.access_token, 'auth[refresh_token]': a.refresh_token,
    'auth[expires_in]': String(a.expires_in || 3600), 'auth[domain]': a.domain, 'auth[member_id]': a.member_id,
    'auth[client_endpoint]': 'https://' + a.domain + '/rest/'
  });
  fetch(location.pathname, { method: 'POST', body: body }).then(function (r) { return r.json(); }).then(function (r) {
    if (r.status !== 'installed') throw new Error(r.message || 'install failed');
    state.textContent = 'Готово: роботы зарегистрированы.';
    BX24.installFinish();
  }).catch(function (e) { state.textContent = 'Ошибка установки: ' + e.message; state.className = 'err'; });
});
else document.getElementById('state').textContent = 'Откройте эту страницу из Битрикс24 (Приложения → ваше приложение).';
</script>
{{/if}}
{{else}}
<h1 class="err">Установка не завершена</h1>
<p class="err">{{error}}</p>
<p>Откройте приложение ещё раз; если ошибка повторяется, передайте этот текст администратору сервиса.</p>
{{/if}}
</body></html>`);

export function installPage(v: { ok: boolean; report?: InstallReport; error?: string }): string {
  return template(v);
}
