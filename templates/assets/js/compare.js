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
  if (form.hasAttribute("data-large")) {
    largePicker(form);
    return;
  }
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

  /* A large handbook: department, then role, then one of its comparisons. The roles of
   * a department and their comparisons come from compare/departments/<id>.json; without
   * this script the form stays hidden and the department pages under it list the same. */
  function largePicker(form) {
    var status = document.getElementById("compare-status");
    var dept = form.elements.dept, role = form.elements.role, other = form.elements["with"];
    var base = form.getAttribute("data-base");
    var roles = [];

    function fill(select, items, prompt) {
      select.options.length = 0;
      select.add(new Option(prompt, ""));
      items.forEach(function (item) { select.add(new Option(item[1], item[0])); });
      select.disabled = items.length === 0;
    }

    function load(url) {
      fill(role, [], "— сначала подразделение —");
      fill(other, [], "— сначала должность —");
      if (!url) return;
      status.textContent = "Загрузка…";
      fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) {
        roles = data.roles;
        fill(role, roles, "— выберите должность —");
        status.textContent = "";
      }).catch(function () {
        status.textContent = "Не удалось загрузить список должностей; выберите сравнение по ссылкам ниже.";
      });
    }

    function pages(roleId) {
      var found = roles.filter(function (r) { return r[0] === roleId; })[0];
      return found ? found[2] : [];
    }

    dept.addEventListener("change", function () { load(dept.value); });
    role.addEventListener("change", function () {
      var list = pages(role.value);
      fill(other, list, "— выберите —");
      status.textContent = list.length === 1 ? "" : "Готовых сравнений: " + list.length + ".";
    });
    other.addEventListener("change", function () {
      if (other.value) window.location.href = base + other.value + "/";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (other.value) window.location.href = base + other.value + "/";
      else status.textContent = role.value ? "Выберите, с чем сравнить." : "Выберите подразделение и должность.";
    });
    form.hidden = false;

    // Links into the comparison index (?roles=a,b): open that comparison if it has a page.
    var params = new URLSearchParams(window.location.search);
    var wanted = (params.get("roles") || "").split(",").filter(Boolean);
    if (wanted.length >= 2) openExisting(base, wanted, status);
  }

  function openExisting(base, ids, status) {
    var orders = permutations(ids.slice(0, 3));
    (function next() {
      var key = orders.shift();
      if (!key) {
        status.textContent = "Такого сравнения нет среди готовых; выберите его в форме.";
        return;
      }
      fetch(base + key + "/", { method: "HEAD" }).then(function (response) {
        if (response.ok) window.location.href = base + key + "/";
        else next();
      }, next);
    })();
  }

  function permutations(ids) {
    if (ids.length <= 1) return [ids.join("--")];
    var result = [];
    ids.forEach(function (id, i) {
      permutations(ids.slice(0, i).concat(ids.slice(i + 1))).forEach(function (rest) {
        result.push(id + "--" + rest);
      });
    });
    return result;
  }
})();
