// Progressive enhancement only: search suggestions for every search box. Pages work without it.
(function () {
  "use strict";
  var list = document.getElementById("suggestions");
  if (!list || !window.fetch) { return; }
  var timer = null;
  function suggest(input) {
    var q = input.value.trim();
    if (q.length < 2) { return; }
    fetch("/search?limit=10&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        data.results.forEach(function (hit) {
          var option = document.createElement("option");
          option.value = hit.label;  // text only: never parsed as HTML
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll("input[list=suggestions]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 150);
    });
  });
})();
