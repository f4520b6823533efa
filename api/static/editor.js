// Query editor: YASGUI (installed by `quyhoach assets`) on top of the plain form, which stays
// the fallback: if YASGUI's files are missing or fail, nothing here hides the form.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var configNode = document.getElementById("editor-config");
  if (!holder || !configNode || typeof window.Yasgui === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var yasgui;
  try {
    yasgui = new window.Yasgui(holder, {
      requestConfig: { endpoint: holder.getAttribute("data-endpoint"), method: "POST" },
      copyEndpointOnNewTab: false,
      persistenceId: null,            // open with the query of the page (links from entity pages)
      endpointCatalogueOptions: { getData: function () { return []; } },
      yasqe: {
        value: config.query,
        // offline: no class/property lookups on remote vocabulary services
        autocompleters: ["prefixes", "variables"]
      }
    });
  } catch (err) {
    if (window.console) { console.error("YASGUI failed; keeping the plain editor", err); }
    return;
  }
  var tab = yasgui.getTab();
  if (tab && tab.setQuery) { tab.setQuery(config.query); }
  if (tab && tab.getYasqe && tab.getYasqe().addPrefixes) { tab.getYasqe().addPrefixes(config.prefixes); }
  document.getElementById("plain-editor").hidden = true;
  var note = document.querySelector(".yasgui-note");
  if (note) { note.hidden = false; }
  window.quyhoachYasgui = yasgui;
  // Examples from queries/: open in the current tab instead of reloading the page.
  var byName = {};
  (config.examples || []).forEach(function (ex) { byName[ex.name] = ex.query; });
  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var text = byName[link.getAttribute("data-name")];
      var current = yasgui.getTab();
      if (!text || !current) { return; }
      event.preventDefault();
      current.setQuery(text);
      holder.scrollIntoView();
    });
  });
})();
