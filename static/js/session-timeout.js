// Warns two minutes before the session ends for inactivity, offers to stay signed
// in, and on time-out goes to the sign-in page, which returns here afterwards.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var dialog = document.querySelector(".app-timeout-dialog");
  if (!idle || !dialog || typeof dialog.showModal !== "function") { return; }
  var WARN_BEFORE = Math.min(120, Math.floor(idle / 2));
  var countdown = dialog.querySelector(".app-timeout-countdown");
  var warnTimer, endTimer, tickTimer, endsAt;

  function signInUrl() {
    var next = window.location.pathname + window.location.search;
    return body.getAttribute("data-sign-in-url") + "?next=" + encodeURIComponent(next);
  }

  function describe(seconds) {
    if (seconds > 60) { return Math.ceil(seconds / 60) + " minutes"; }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    countdown.textContent = describe(left);
  }

  function warn() {
    tick();
    tickTimer = window.setInterval(tick, 1000);
    dialog.showModal();
  }

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(tickTimer);
    endsAt = Date.now() + idle * 1000;
    warnTimer = window.setTimeout(warn, (idle - WARN_BEFORE) * 1000);
    endTimer = window.setTimeout(function () { window.location.href = signInUrl(); }, idle * 1000);
  }

  dialog.querySelector("[data-stay-signed-in]").addEventListener("click", function () {
    var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
    fetch(body.getAttribute("data-keep-alive-url"), {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) { dialog.close(); start(); } else { window.location.href = signInUrl(); }
    });
  });
  dialog.querySelector("[data-sign-out-now]").addEventListener("click", function (event) {
    event.preventDefault();
    var form = document.querySelector("form[data-sign-out]");
    if (form) { form.requestSubmit(); }
  });
  start();
})();
