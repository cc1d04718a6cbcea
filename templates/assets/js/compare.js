/* Role comparison picker: go to the page of the chosen roles.
 *
 * Every comparison is a page of its own (compare/<a>--<b>/, roles in the handbook's
 * order, listed in the form's data-pages). Choosing roles opens that page; without
 * this script the links under the form lead to the same pages. The comparison index
 * also accepts ?roles=a,b,c or ?a=…&b=…&c=… (links from the role pages).
 */
(function () {
  "use strict";

  var form = document.getElementById("compare-picker");
  if (!form) return;
  var status = document.getElementById("compare-status");
  var pages = form.getAttribute("data-pages").split(" ");
  var base = form.getAttribute("data-base");
  var order = Array.prototype.map.call(form.elements.a.options, function (o) { return o.value; });
  var names = ["a", "b", "c"];

  function chosen() {
    var ids = [];
    names.forEach(function (name) {
      var id = form.elements[name].value;
      if (id && ids.indexOf(id) < 0) ids.push(id);
    });
    return ids.sort(function (x, y) { return order.indexOf(x) - order.indexOf(y); });
  }

  function go(ids) {
    if (ids.length < 2) {
      status.textContent = "Выберите хотя бы две разные должности.";
      return false;
    }
    var key = ids.join("--");
    if (pages.indexOf(key) < 0) {
      status.textContent = "Такого сравнения нет среди готовых; выберите его из списка ниже.";
      return false;
    }
    if (window.location.pathname.slice(-key.length - 1) !== key + "/") {
      window.location.href = base + key + "/";
    }
    return true;
  }

  function preselect(ids) {
    names.forEach(function (name, i) {
      var select = form.elements[name];
      if (ids[i] && order.indexOf(ids[i]) >= 0) select.value = ids[i];
      else if (name === "c") select.value = "";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    go(chosen());
  });
  form.addEventListener("change", function () {
    status.textContent = "";
    var ids = chosen();
    if (ids.length >= 2 && pages.indexOf(ids.join("--")) >= 0) go(ids);
  });

  // Links into the comparison index: ?roles=a,b or ?a=…&b=…
  var params = new URLSearchParams(window.location.search);
  var wanted = (params.get("roles") || "").split(",").filter(Boolean);
  names.forEach(function (name) { if (params.get(name)) wanted.push(params.get(name)); });
  if (wanted.length) {
    var first = wanted[0];
    if (wanted.length === 1) {
      // One role: keep it first, offer the next one as the second.
      var other = order.filter(function (id) { return id && id !== first; })[0];
      preselect([first, other]);
      status.textContent = "Выберите, с какой должностью сравнить.";
    } else {
      preselect(wanted);
      go(chosen());
    }
  }
})();
