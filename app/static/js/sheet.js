/* The sheet page: the running totals and the grade they would give, updated as scores are typed.
   The server computes the stored totals on every save; this is only a preview (no libraries). */
(function () {
  "use strict";
  var table = document.getElementById("criteria");
  if (!table) { return; }
  var cap = parseFloat(table.getAttribute("data-cap")) || 100;
  var mins = JSON.parse((document.getElementById("grade-bands") || {}).textContent || "[]").map(parseFloat);
  var codes = JSON.parse((document.getElementById("grade-codes") || {}).textContent || "[]");

  function num(text) {
    var v = parseFloat(String(text || "").replace(",", "."));
    return isNaN(v) ? 0 : v;
  }
  function grade(total) {
    for (var i = 0; i < mins.length; i++) { if (total >= mins[i]) { return codes[i]; } }
    return codes.length ? codes[codes.length - 1] : "";
  }
  function show(v) { return (Math.round(v * 100) / 100).toString().replace(".", ","); }

  function total(kind) {
    var inputs = table.querySelectorAll("input.score." + kind);
    if (!inputs.length) { return null; }
    var groups = {}, sum = 0;
    Array.prototype.forEach.call(inputs, function (input) {
      var row = input.closest("tr");
      var g = row.getAttribute("data-group"), k = row.getAttribute("data-kind");
      groups[g] = groups[g] || { kind: k, sum: 0 };
      groups[g].sum += num(input.value);
    });
    Array.prototype.forEach.call(table.querySelectorAll("tr.group"), function (head, i) {
      var rows = head.nextElementSibling;
      var code = rows ? rows.getAttribute("data-group") : null;
      var max = parseFloat(head.getAttribute("data-group-max"));
      if (code && groups[code] && !isNaN(max)) { groups[code].sum = Math.min(groups[code].sum, max); }
    });
    Object.keys(groups).forEach(function (g) {
      sum += groups[g].kind === "deduction" ? -groups[g].sum : groups[g].sum;
    });
    return Math.max(0, Math.min(sum, cap));
  }
  function update() {
    [["self", "self-total", "self-grade"], ["final", "final-total", "final-grade"]].forEach(function (k) {
      var t = total(k[0]);
      if (t === null) { return; }
      document.getElementById(k[1]).textContent = show(t);
      document.getElementById(k[2]).textContent = grade(t);
    });
  }
  table.addEventListener("input", update);
  update();  // the evaluator's boxes start from the self-scores: show what they give before any typing
}());
