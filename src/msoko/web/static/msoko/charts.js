// Renders every chart spec of the page with the locally served Vega bundle (no CDN), numbers written the
// Russian way on the axes and in tooltips: a decimal comma and a thin space between thousands.
var RUSSIAN_NUMBERS = {decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0₽"]};
var RUSSIAN_DATES = {
  dateTime: "%A, %e %B %Y г. %X", date: "%d.%m.%Y", time: "%H:%M:%S", periods: ["", ""],
  days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
  shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
  months: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
  shortMonths: ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
};
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.vl[data-spec]").forEach(function (el) {
    var source = document.getElementById(el.dataset.spec);
    if (!source || !window.vegaEmbed) { return; }
    window.vegaEmbed(el, JSON.parse(source.textContent), {
      actions: false, renderer: "svg", formatLocale: RUSSIAN_NUMBERS, timeFormatLocale: RUSSIAN_DATES
    })
      .then(function () { el.dataset.rendered = "1"; })
      .catch(function (err) { el.textContent = "Диаграмма не построена: " + err; });
  });
});
