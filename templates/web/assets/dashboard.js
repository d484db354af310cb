// The dashboard's chart: billed against collected by month, from the JSON block the page renders (no inline code
// under the CSP). Amounts arrive in kopecks; axis ticks read as Russians write money («1,2 млн ₽», «250 тыс. ₽»),
// tooltips in full («25 000,00 ₽»). The same figures are in a visually hidden table for screen readers.
(function () {
  'use strict';
  var data = document.getElementById('flow-data');
  var canvas = document.getElementById('flow-chart');
  if (!data || !canvas || !window.Chart) return;
  var chart = JSON.parse(data.textContent);
  var locale = chart.lang === 'en' ? 'en-GB' : 'ru-RU';
  var full = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  var rub = function (fmt, kopecks) { return fmt.format(kopecks / 100) + '\u00a0₽'; };
  var colors = ['#2fc6f6', '#9dcf00'];
  var font = { family: getComputedStyle(document.body).fontFamily, size: 12 };

  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: chart.labels,
      datasets: chart.series.map(function (s, i) {
        return { label: s.label, data: s.kopecks, backgroundColor: colors[i], borderRadius: 3, maxBarThickness: 22 };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // The page is read, not watched: no animation delaying the figures (and steady screenshots).
      animation: false,
      locale: locale,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { font: font, color: '#525c69' } },
        y: {
          beginAtZero: true,
          grid: { color: '#edf0f2' },
          border: { display: false },
          ticks: { font: font, color: '#828b95', maxTicksLimit: 6, callback: function (v) { return rub(compact, v); } },
        },
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: { font: font, boxWidth: 12, boxHeight: 12, color: '#333' } },
        tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ': ' + rub(full, ctx.parsed.y); } } },
      },
    },
  });
  canvas.setAttribute('data-rendered', 'true');
})();
