/* Salary comparison: filters and sorting for the table that the page already holds.
 *
 * Without this script the page shows every row and chart. With it, the filter form
 * appears; its state lives in the URL query (?role=…&segment=…&grade=…&region=…&sort=…)
 * so a view can be shared. In a large handbook (form[data-chunked]) the page holds one
 * role and the rows of the others come from data/salaries/<role>.json on demand.
 */
(function () {
  "use strict";

  var form = document.getElementById("salary-filters");
  var table = document.getElementById("salary-table");
  if (!form || !table) return;
  var charts = document.getElementById("salary-charts");
  var count = document.getElementById("salary-count");
  var empty = document.getElementById("salary-empty");
  var chunked = form.hasAttribute("data-chunked");
  var chunks = form.getAttribute("data-chunks");
  var FIELDS = ["role", "segment", "grade", "region", "sort"];

  function value(name) { return form.elements[name].value; }

  // "" matches everything, "-" matches an empty attribute (no segment, «в целом»).
  function matches(filter, actual) {
    if (!filter) return true;
    return filter === "-" ? actual === "" : actual === filter;
  }

  function number(row, key) {
    var text = row.getAttribute("data-" + key);
    return text === "" ? null : parseFloat(text);
  }

  function comparator(sort) {
    var parts = sort.split("-"), key = parts[0], sign = parts[1] === "desc" ? -1 : 1;
    if (key === "region") {
      return function (a, b) {
        return a.cells[1].textContent.localeCompare(b.cells[1].textContent, "ru") ||
          number(a, "order") - number(b, "order");
      };
    }
    return function (a, b) {
      var x = number(a, key), y = number(b, key);
      if (x === null || y === null) {  // rows without a figure go last either way
        return (x === null) - (y === null) || number(a, "order") - number(b, "order");
      }
      return sign * (x - y) || number(a, "order") - number(b, "order");
    };
  }

  function sortBody(body, sort) {
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-order]"));
    rows.sort(comparator(sort || "order-asc"));
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function apply() {
    var shown = 0, total = 0, sort = value("sort");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var inGroup = matches(value("role"), body.getAttribute("data-role")) &&
        matches(value("segment"), body.getAttribute("data-segment"));
      var visible = 0;
      Array.prototype.forEach.call(body.querySelectorAll("tr[data-order]"), function (row) {
        var show = inGroup && matches(value("grade"), row.getAttribute("data-grade")) &&
          matches(value("region"), row.getAttribute("data-region"));
        row.hidden = !show;
        visible += show ? 1 : 0;
        total += 1;
      });
      body.hidden = visible === 0;
      shown += visible;
      sortBody(body, sort);
    });
    if (charts) {
      Array.prototype.forEach.call(charts.querySelectorAll(".chart-group"), function (group) {
        group.hidden = !(matches(value("role"), group.getAttribute("data-role")) &&
          matches(value("segment"), group.getAttribute("data-segment")));
      });
    }
    count.textContent = "Показано строк: " + shown + " из " + total + ".";
    if (empty) empty.hidden = shown > 0;
    markSortedColumn(sort);
    remember();
  }

  function remember() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      if (value(name)) params.set(name, value(name)); else params.delete(name);
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") +
      window.location.hash);
  }

  function restore() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      var wanted = params.get(name), select = form.elements[name];
      if (wanted === null) return;
      if (name === "role" && chunked && !hasOption(select, wanted)) {
        select.add(new Option(wanted, wanted));  // its title comes with the role list
      }
      if (hasOption(select, wanted)) select.value = wanted;
    });
  }

  function hasOption(select, wanted) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === wanted; });
  }

  // Column headers that sort: a button in each, aria-sort on the sorted one.
  function sortButtons() {
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var key = th.getAttribute("data-sort"), current = value("sort");
        var next = key === "region" ? (current === "region" ? "" : "region")
          : current === key + "-desc" ? key + "-asc"
          : current === key + "-asc" ? "" : key + "-desc";
        if (!hasOption(form.elements.sort, next)) next = "";
        form.elements.sort.value = next;
        apply();
      });
    });
  }

  function markSortedColumn(sort) {
    var key = sort.split("-")[0];
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
      if (th.getAttribute("data-sort") === key) {
        th.setAttribute("aria-sort", sort.indexOf("desc") > 0 ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  // Large handbooks: one role at a time, its rows loaded from its chunk (data, not markup;
  // the rows built here are those of templates/html/salary-rows.html).
  var root = form.getAttribute("data-root");
  var firstRole = table.tBodies.length ? table.tBodies[0].getAttribute("data-role") : "";
  var firstCharts = charts ? charts.innerHTML : "";

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function figureCell(text) {
    var cell = element("td", {"class": "figure"});
    if (text === null) {
      cell.appendChild(element("span", {"class": "missing"}, "нет данных"));
      return cell;
    }
    text.split(", ").forEach(function (part, i) {
      if (i) cell.appendChild(document.createTextNode(", "));
      cell.appendChild(element("span", {"class": "amount"}, part));
    });
    return cell;
  }

  function scaleCell(bar) {
    var cell = element("td", {"class": "scale"});
    if (!bar) return cell;
    var kind = bar[0], track = element("span", {"class": "track", "aria-hidden": "true"});
    if (kind === "range") {
      track.appendChild(element("span", {"class": "bar range", style: "left: " + bar[1] + "%; width: " + bar[2] + "%"}));
    } else if (kind === "up_to") {
      track.appendChild(element("span", {"class": "bar up-to", style: "width: " + bar[2] + "%"}));
    } else {
      track.appendChild(element("span", {"class": "dot " + kind, style: "left: " + bar[1] + "%"}));
    }
    if (bar[3] !== null && kind !== "median") {
      track.appendChild(element("span", {"class": "tick", style: "left: " + bar[3] + "%"}));
    }
    cell.appendChild(track);
    return cell;
  }

  function groupBody(chunk, group) {
    var body = element("tbody", {"data-role": chunk.role, "data-segment": group.segment});
    var head = element("tr", {"class": "group-head"});
    var th = element("th", {colspan: "5", scope: "colgroup"});
    th.appendChild(element("a", {href: root + chunk.url}, chunk.title));
    th.appendChild(document.createTextNode(" "));
    th.appendChild(element("span", {"class": "group-segment"}, group.name));
    head.appendChild(th);
    body.appendChild(head);
    group.rows.forEach(function (r, order) {
      var row = element("tr", {"data-grade": r[0], "data-region": r[3],
        "data-value": r[6] === null ? "" : String(r[6]),
        "data-percent": r[7] === null ? "" : String(r[7]), "data-order": String(order)});
      if (r[5] === null) row.className = "row-missing";
      var grade = element("td", {"class": "grade"});
      grade.appendChild(r[2] ? element("span", {title: r[2]}, r[1]) : document.createTextNode(r[1]));
      row.appendChild(grade);
      var region = element("th", {scope: "row"}, r[4] + " ");
      region.appendChild(element("span", {"class": "grade-inline", "aria-hidden": "true"}, r[1]));
      row.appendChild(region);
      row.appendChild(figureCell(r[5]));
      row.appendChild(element("td", {"class": "percent"}, r[7] === null ? "" : r[7] + "\u00a0%"));
      row.appendChild(scaleCell(r[8]));
      body.appendChild(row);
    });
    return body;
  }

  function showCharts(chunk) {
    if (!charts) return;
    if (chunk.role === firstRole) {
      charts.innerHTML = firstCharts;
      return;
    }
    charts.textContent = "";
    var note = element("p", {"class": "note"}, "График зарплат этой должности — на её странице: ");
    note.appendChild(element("a", {href: root + chunk.url + "#salaries"}, chunk.title));
    note.appendChild(document.createTextNode("."));
    charts.appendChild(note);
  }

  function loadRole(role) {
    if (!role || table.querySelector('tbody[data-role="' + CSS.escape(role) + '"]')) {
      return Promise.resolve();
    }
    count.textContent = "Загрузка…";
    return fetch(chunks + encodeURIComponent(role) + ".json")
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (chunk) {
        Array.prototype.slice.call(table.tBodies).forEach(function (b) { b.remove(); });
        chunk.groups.forEach(function (group) { table.appendChild(groupBody(chunk, group)); });
        showCharts(chunk);
        var option = form.elements.role.querySelector('option[value="' + CSS.escape(role) + '"]');
        if (option) option.textContent = chunk.title;
      })
      .catch(function () {
        count.textContent = "Не удалось загрузить зарплаты этой должности.";
      });
  }

  function loadRoleList() {
    return fetch(chunks + "_index.json")
      .then(function (response) { return response.json(); })
      .then(function (index) {
        var select = form.elements.role, chosen = select.value;
        index.roles.forEach(function (role) {
          var option = select.querySelector('option[value="' + CSS.escape(role[0]) + '"]');
          if (option) option.textContent = role[1];
          else select.add(new Option(role[1], role[0]));
        });
        select.value = chosen;
      })
      .catch(function () { /* the page still works with the roles it has */ });
  }

  form.addEventListener("change", function (event) {
    if (chunked && event.target.name === "role") {
      loadRole(value("role")).then(apply);
    } else {
      apply();
    }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () {
      if (chunked) loadRole(value("role")).then(apply); else apply();
    }, 0);
  });

  form.hidden = false;
  restore();
  sortButtons();
  if (chunked) {
    var note = document.getElementById("chunk-note");
    if (note) note.hidden = true;
    loadRoleList();
    loadRole(value("role")).then(apply);
  } else {
    apply();
  }
})();
