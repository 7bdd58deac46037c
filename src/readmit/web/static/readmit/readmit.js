/* Readmit: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Move the focus to the error summary after a rejected form, so screen readers hear it.
  function focusErrorSummary(root) {
    var summary = root.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  // Drag and drop onto a plain <input type="file">: the input stays the real control
  // (labelled, keyboard-operable); the zone around it only also accepts dropped files.
  function enhanceDropzones(root) {
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.enhanced) { return; }
      zone.dataset.enhanced = "1";
      var input = zone.querySelector("input[type=file]");
      var output = zone.querySelector("[data-dropzone-file]");
      if (!input) { return; }
      zone.classList.add("dropzone--active");
      function show() {
        if (output) {
          output.textContent = input.files.length ? input.files[0].name : "";
        }
      }
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dropzone--over");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dropzone--over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          show();
        }
      });
      input.addEventListener("change", show);
    });
  }

  function enhance(root) {
    enhanceDropzones(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    focusErrorSummary(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
