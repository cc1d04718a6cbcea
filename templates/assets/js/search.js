/* The search page: start Pagefind's interface (it speaks Russian from <html lang="ru">)
 * and run the query from the address (?q=…, sent by the search box in the header). */
(function () {
  "use strict";

  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") return;
  var query = new URLSearchParams(window.location.search).get("q");
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: absolute(box.getAttribute("data-bundle")),
    // The index is split by department (pages/search.py): search them all as one.
    mergeIndex: (box.getAttribute("data-merge") || "").split(" ").filter(Boolean).map(function (path) {
      return { bundlePath: absolute(path) };
    }),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    autofocus: !query
  });
  labelInput();
  if (query) ui.triggerSearch(query);

  // Pagefind resolves a relative bundle path from its own script, not from this page.
  function absolute(path) {
    return new URL(path, document.baseURI).href;
  }

  // Pagefind's field has only a placeholder; give it a visible label.
  function labelInput() {
    var input = box.querySelector(".pagefind-ui__search-input");
    if (!input) return;
    input.id = "search-input";
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "search-label";
    label.textContent = "Что найти";
    box.insertBefore(label, box.firstChild);
  }
})();
