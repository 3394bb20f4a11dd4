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
// A draft is offered back ("Restore what you typed?"), never filled in unasked,
// and only when the typing could otherwise be lost: after a time-out (the sign-in
// page marks the drafts held) or when a save never reached the server (the form
// page shown again with no answer to it). A later visit to the form starts it
// empty. A confirmation tick is never kept: it must be ticked each time.
(function () {
  "use strict";
  var NAMESPACE = "reunification-draft";
  var PREFIX = NAMESPACE + ":";
  var SUBMITTED = NAMESPACE + "-submitted";
  var OWNER = NAMESPACE + "-owner";
  var HELD = NAMESPACE + "-held";
  var NEVER_KEPT = /acknowledged|confirm/i;
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
    if (body.hasAttribute("data-drafts-held")) {
      storage.setItem(HELD, "1");
    } else {
      wipe();
    }
    return;
  }
  if (storage.getItem(OWNER) !== owner) { wipe(); }
  storage.setItem(OWNER, owner);
  var afterTimeOut = storage.getItem(HELD) === "1";
  storage.removeItem(HELD);

  var pagePrefix = PREFIX + owner + ":" + window.location.pathname + "#";

  function key(form) { return pagePrefix + (form.id || "form"); }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "password" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "hidden" &&
        !(el.type === "checkbox" && NEVER_KEPT.test(el.name));
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
  // was submitted; so does a refusal, which the server shows with what was typed.
  // Back on the form with neither, the save never arrived: offer the draft.
  var serverErrors = document.querySelector(".govuk-error-summary");
  var saveFailed = false;
  var submitted = storage.getItem(SUBMITTED);
  storage.removeItem(SUBMITTED);
  if (submitted) {
    if (submitted.indexOf(pagePrefix) === 0 && !serverErrors) {
      saveFailed = true;
    } else {
      storage.removeItem(submitted);
    }
  }

  function hasDraft(form) {
    var raw = storage.getItem(key(form));
    if (!raw) { return false; }
    var values = JSON.parse(raw);
    return fields(form).some(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        return k in values && el.checked !== values[k];
      }
      return el.name in values && el.value !== values[el.name];
    });
  }

  // A form marked data-no-draft keeps nothing (an upload, whose check is answered
  // on the same page).
  var forms = document.querySelectorAll("form[method=post]:not([data-sign-out]):not([data-no-draft]), form[method=POST]:not([data-sign-out]):not([data-no-draft])");
  var offered = [];
  Array.prototype.forEach.call(forms, function (form) {
    if ((afterTimeOut || saveFailed) && !serverErrors && hasDraft(form)) {
      offered.push(form);
    } else {
      storage.removeItem(key(form));
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      save(form);
      // "Add another" is answered by the server with the rows as typed.
      var submitter = event.submitter;
      if (!(submitter && submitter.name === "add_another")) {
        storage.setItem(SUBMITTED, key(form));
      }
    });
  });
  var banner = document.querySelector(".app-draft-restored");
  if (offered.length && banner) {
    banner.hidden = false;
    var restoreButton = banner.querySelector("[data-draft-restore]");
    var discardButton = banner.querySelector("[data-draft-discard]");
    restoreButton.addEventListener("click", function () {
      offered.forEach(function (form) { restore(form); });
      banner.querySelector("[data-draft-question]").hidden = true;
      banner.querySelector("[data-draft-done]").hidden = false;
    });
    discardButton.addEventListener("click", function () {
      offered.forEach(function (form) { storage.removeItem(key(form)); });
      banner.hidden = true;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    form.addEventListener("submit", wipe);
  });
})();
