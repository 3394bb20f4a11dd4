// Loaded straight after <body> opens, before anything is drawn: marks the page as
// having JavaScript, and as able to run GOV.UK Frontend's components (browsers
// that understand <script type="module">), as GOV.UK Frontend's page template does.
// It is a file rather than an inline script so the Content-Security-Policy can
// refuse every inline script.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
