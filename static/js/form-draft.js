// Keeps what someone types in a form, in this browser tab only, until the form is
// saved. If the session times out, the typing is put back after that same person
// signs in again, and to nobody else.
// sessionStorage is used rather than localStorage so that nothing outlives the
// tab. Drafts belong to whoever typed them: <body data-draft-owner> carries a key
// for the signed-in person that names nobody (reunification/context_processors.py).
// A page shown to someone else wipes every draft before reading any; so does a
// page shown to nobody, except the sign-in page a time-out sends people to
// (<body data-drafts-held>), where the drafts wait for whoever signs in next.
// Signing out wipes them too.
(function () {
  "use strict";
  var NAMESPACE = "reunification-draft";
  var PREFIX = NAMESPACE + ":";
  var SUBMITTED = NAMESPACE + "-submitted";
  var OWNER = NAMESPACE + "-owner";
  var storage;
  try { storage = window.sessionStorage; } catch (e) { return; }

  function wipe() {
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (name && name.indexOf(NAMESPACE) === 0) { storage.removeItem(name); }
    }
  }

  var body = document.body;
  var owner = body.getAttribute("data-draft-owner");
  if (!owner) {
    if (!body.hasAttribute("data-drafts-held")) { wipe(); }
    return;
  }
  if (storage.getItem(OWNER) !== owner) { wipe(); }
  storage.setItem(OWNER, owner);

  var pagePrefix = PREFIX + owner + ":" + window.location.pathname + "#";

  function key(form) { return pagePrefix + (form.id || "form"); }

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
  // was submitted. (A submission that met an expired session goes to the sign-in
  // page, which holds the drafts, and keeps its draft for after signing in.)
  var submitted = storage.getItem(SUBMITTED);
  if (submitted) {
    if (submitted.indexOf(pagePrefix) !== 0) {
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
    form.addEventListener("submit", wipe);
  });
})();
