// Renders every chart spec of the page with the locally served Vega bundle (no CDN).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.vl[data-spec]").forEach(function (el) {
    var source = document.getElementById(el.dataset.spec);
    if (!source || !window.vegaEmbed) { return; }
    window.vegaEmbed(el, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
      .then(function () { el.dataset.rendered = "1"; })
      .catch(function (err) { el.textContent = "Диаграмма не построена: " + err; });
  });
});
