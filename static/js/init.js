import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// "Print or save as PDF" on the family's documents (templates/planning/family_document.html).
for (const link of document.querySelectorAll("[data-print]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
}
