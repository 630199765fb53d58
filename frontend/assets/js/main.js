// Kopa's one browser bundle. Every page works without it; with it, forms and live parts
// are smoother. Each feature module finds its own elements by data attribute and does
// nothing on pages without them.
import htmx from "htmx.org";
import "./core.js";
import "./live.js";
import "./ballot.js";
import "./ideas.js";
import "./results.js";
import "./staff.js";
import "./account.js";
import "./staff_queues.js";
import "./survey_results.js";
import "./board.js";
import "./workshop_times.js";

window.htmx = htmx;
