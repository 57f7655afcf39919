// Moothall's only script of its own: mark the page as scripted and start
// GOV.UK Frontend's components. Everything works without it.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
