// Keeps what someone types in a form, in this browser tab only, until the form is
// saved. If the session times out, the typing is put back after signing in again.
// sessionStorage is used rather than localStorage so that nothing outlives the
// tab, and every draft is wiped on signing out.
(function () {
  "use strict";
  var PREFIX = "reunification-draft:";
  var SUBMITTED = "reunification-submitted";
  var storage;
  try { storage = window.sessionStorage; } catch (e) { return; }

  function key(form) { return PREFIX + window.location.pathname + "#" + (form.id || "form"); }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "password" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }

  function save(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        values[el.name + "=" + el.value] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    storage.setItem(key(form), JSON.stringify(values));
  }

  function restore(form) {
    var raw = storage.getItem(key(form));
    if (!raw) { return false; }
    var values = JSON.parse(raw);
    var changed = false;
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        if (k in values && el.checked !== values[k]) { el.checked = values[k]; changed = true; }
      } else if (el.name in values && el.value !== values[el.name]) {
        el.value = values[el.name]; changed = true;
      }
    });
    return changed;
  }

  // A successful save redirects to another page: drop the draft of the form that
  // was submitted. (This script does not run on the sign-in page, so a submission
  // that met an expired session keeps its draft for after signing in.)
  var submitted = storage.getItem(SUBMITTED);
  if (submitted) {
    if (submitted.indexOf(PREFIX + window.location.pathname + "#") !== 0) {
      storage.removeItem(submitted);
    }
    storage.removeItem(SUBMITTED);
  }

  var forms = document.querySelectorAll("form[method=post]:not([data-sign-out]), form[method=POST]:not([data-sign-out])");
  var restored = false;
  Array.prototype.forEach.call(forms, function (form) {
    // After a failed submission the server has re-rendered what was typed.
    var serverErrors = document.querySelector(".govuk-error-summary");
    if (!serverErrors) { restored = restore(form) || restored; }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function () { save(form); storage.setItem(SUBMITTED, key(form)); });
  });
  if (restored) {
    var banner = document.querySelector(".app-draft-restored");
    if (banner) { banner.hidden = false; }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    form.addEventListener("submit", function () { storage.clear(); });
  });
})();
