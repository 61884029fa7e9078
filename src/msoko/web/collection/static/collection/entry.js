// Autosave of a collection form: each change is posted (debounced) and the field messages and progress
// come back as JSON. No framework: the page works without this script too (the buttons post the form).
(function () {
  var form = document.getElementById("entry");
  // «Добавить строку»: a copy of a roster's last row, emptied and numbered next
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = document.querySelector('table.roster[data-roster="' + button.dataset.roster + '"] tbody');
      var last = body.lastElementChild, row = last.cloneNode(true), n = body.children.length;
      row.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name.replace(/__\d+__/, "__" + n + "__"); el.value = "";
      });
      body.appendChild(row);
    });
  });
  if (!form || !form.dataset.save) return;
  var timer = null, status = document.getElementById("save-status");
  function show(data) {
    document.querySelectorAll(".field").forEach(function (row) {
      var code = row.dataset.code, box = row.querySelector(".msg");
      var list = (data.messages || {})[code] || [];
      if (box) box.textContent = list.join("; ");
      row.classList.toggle("bad", list.length > 0);
    });
    document.querySelectorAll(".soft [data-check]").forEach(function (el) {
      el.classList.toggle("failing", (data.soft || []).indexOf(el.dataset.check) >= 0);
    });
    document.querySelectorAll(".roster-errors").forEach(function (el) {
      el.textContent = (data.roster_errors || []).join("; ");
    });
    Object.keys(data.totals || {}).forEach(function (code) {
      var input = document.getElementById("f_" + code);
      if (!input) return;
      input.readOnly = true;  // counted from the roster's rows
      input.value = data.totals[code] === null ? "" : data.totals[code];
    });
    var meter = document.getElementById("progress");
    if (meter && data.total) { meter.max = data.total; meter.value = data.filled;
      document.getElementById("progress-text").textContent = data.filled + " из " + data.total; }
  }
  var sent = 0;  // a slow answer to an older save must not overwrite the newer one's messages
  function save() {
    var body = new FormData(form), mine = ++sent;
    status.textContent = "сохранение…";
    fetch(form.dataset.save, {method: "POST", body: body, credentials: "same-origin",
                              headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== sent) return;
        if (!data.ok) { status.textContent = (data.errors || []).join("; "); return; }
        show(data); status.textContent = "черновик сохранён " + new Date().toLocaleTimeString("ru-RU");
      })
      .catch(function () { status.textContent = "не удалось сохранить — проверьте связь"; });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 800); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(save, 800); });
})();
