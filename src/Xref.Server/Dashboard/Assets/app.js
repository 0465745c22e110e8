// The sync-status dashboard: calls /ui/api/summary and /api/v1 with the signed-in token. Every value from the API is
// put on the page as text (textContent, never innerHTML), and links only when they are http(s).
"use strict";

const TOKEN_KEY = "xref.token";
const SUBJECT_TYPES = ["Assignment", "BillingMilestone", "CustomField", "CustomFieldChoice", "CustomFieldSet", "CustomFieldValue",
  "Estimate", "EstimateScenario", "EstimateScenarioResource", "Expense", "ExpenseBudget", "Invoice", "Participation", "Post",
  "RateCard", "Role", "Skill", "StatusReport", "Story", "StoryAllocationDay", "Submission", "SurveyAnswer", "SurveyQuestion",
  "SurveyResponse", "SurveyTemplate", "TimeEntry", "TimeOffEntry", "User", "Vendor", "Workspace", "WorkspaceAllocation",
  "WorkspaceGroup", "WorkspaceResource"];
const FILTERS = ["subject_type", "service_name", "status", "last_synced_after", "last_synced_before", "created_after", "created_before"];
const PER_PAGE = 20;
const REPORTS_PER_PAGE = 10;

const $ = (id) => document.getElementById(id);
let refsPage = 1;
let reportsPage = 1;

class Unauthorized extends Error {}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { headers: { Authorization: "Bearer " + token, Accept: "application/json" }, cache: "no-store" });
  if (response.status === 401) throw new Unauthorized();
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.errors && body.errors[0] ? body.errors[0].message : "HTTP " + response.status;
    throw new Error(message);
  }
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function safeLink(url, text) {
  // Only http and https become links; anything else is shown as text.
  let parsed = null;
  try { parsed = new URL(url); } catch { parsed = null; }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return el("span", url);
  const a = el("a", text || url);
  a.href = parsed.href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function shortTime(iso) {
  return iso ? iso.replace("T", " ").replace("Z", "") : "";
}

// ---- sign-in ----

function showSignedIn(signedIn) {
  $("sign-in").hidden = signedIn;
  $("dashboard").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignedIn(false);
  $("sign-in-error").textContent = message || "";
  $("token").focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token").value = "";
  $("sign-in-error").textContent = "";
  showSignedIn(true);
  await loadAll(true);
}

async function guarded(work, statusId) {
  try {
    await work();
  } catch (e) {
    if (e instanceof Unauthorized) signOut("That token was not accepted (unknown or revoked).");
    else $(statusId).textContent = "Could not load: " + e.message;
  }
}

// ---- filters, kept in the page's query string (never the token) so a reload keeps them ----

function readFilters() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const name of FILTERS) filters[name] = params.get(name) || "";
  if (!params.has("status")) filters.status = "failed";
  refsPage = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  return filters;
}

function formFilters() {
  const form = $("filters");
  const filters = {};
  for (const name of FILTERS) filters[name] = form.elements[name].value.trim();
  return filters;
}

function fillForm(filters) {
  const form = $("filters");
  for (const name of FILTERS) form.elements[name].value = filters[name] || "";
}

function saveFilters(filters) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name] || name === "status") params.set(name, filters[name]);
  if (refsPage > 1) params.set("page", String(refsPage));
  history.replaceState(null, "", "/ui?" + params.toString());
}

// ---- summary ----

async function loadSummary(chooseType) {
  const summary = await api("/ui/api/summary");
  const body = $("summary").tBodies[0];
  body.replaceChildren();
  const services = new Set();
  for (const row of summary.rows) {
    services.add(row.service_name);
    const tr = document.createElement("tr");
    tr.append(el("td", row.subject_type), el("td", row.service_name), el("td", row.pending, "num"), el("td", row.successful, "num"));
    const failed = el("td", row.failed, "num" + (row.failed > 0 ? " bad" : ""));
    tr.append(failed);
    const rate = row.syncs_24h > 0 ? (100 * row.failed_syncs_24h / row.syncs_24h).toFixed(1) + " % of " + row.syncs_24h : "no syncs";
    tr.append(el("td", rate, "num"));
    body.append(tr);
  }
  if (summary.rows.length === 0) {
    const tr = document.createElement("tr");
    const td = el("td", "No references in this account yet.");
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
  }
  $("services").replaceChildren(...[...services].sort().map((s) => { const o = document.createElement("option"); o.value = s; return o; }));
  $("summary-status").textContent = "Counts as of " + shortTime(summary.generated_at) + " UTC; failure rate since " + shortTime(summary.window_starts_at) + " UTC.";
  if (chooseType && !$("f-subject-type").value) {
    // Start on the subject type with the most failed references.
    const worst = summary.rows.slice().sort((a, b) => b.failed - a.failed)[0];
    $("f-subject-type").value = worst ? worst.subject_type : "Workspace";
  }
}

// ---- references ----

function subjectTitle(envelope, reference) {
  const ref = reference.subject_ref;
  const subject = ref && envelope[ref.key] ? envelope[ref.key][ref.id] : null;
  const title = subject ? (subject.title || subject.name || subject.full_name || subject.description || "") : "";
  return reference.subject_type + " " + reference.subject_id + (title ? " · " + title : "");
}

async function loadReferences() {
  const filters = formFilters();
  saveFilters(filters);
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  params.set("order", "last_synced_at:asc");
  params.set("include", "subject");
  params.set("page", String(refsPage));
  params.set("per_page", String(PER_PAGE));
  $("refs-status").textContent = "Loading…";
  const envelope = await api("/api/v1/external_references?" + params.toString());
  const body = $("refs").tBodies[0];
  body.replaceChildren();
  for (const result of envelope.results) {
    const r = envelope.external_references[result.id];
    const tr = document.createElement("tr");
    const subject = el("td");
    const open = el("button", subjectTitle(envelope, r), "linklike");
    open.type = "button";
    open.setAttribute("aria-haspopup", "dialog");
    open.addEventListener("click", () => showDetail(envelope, r));
    subject.append(open);
    const link = el("td");
    if (r.external_link) link.append(safeLink(r.external_link, "Open"));
    tr.append(subject, el("td", r.service_name), el("td", r.service_model + " " + r.service_model_ref), link,
      el("td", r.status, "state " + r.status), el("td", r.external_status), el("td", r.external_message, "message"),
      el("td", shortTime(r.last_synced_at)));
    body.append(tr);
  }
  const pages = envelope.meta.page_count;
  $("refs-status").textContent = envelope.count + " matching, oldest sync first.";
  $("refs-page").textContent = pages === 0 ? "No pages" : "Page " + refsPage + " of " + pages;
  $("refs-prev").disabled = refsPage <= 1;
  $("refs-next").disabled = refsPage >= pages;
}

function showDetail(envelope, r) {
  const fields = $("detail-fields");
  fields.replaceChildren();
  const rows = [["Id", r.id], ["Subject", subjectTitle(envelope, r)], ["Service", r.service_name], ["External model", r.service_model],
    ["External id", r.service_model_ref], ["Status", r.status], ["External status", r.external_status],
    ["External message", r.external_message], ["Locked", r.locked ? "yes" : "no"], ["Last synced (UTC)", shortTime(r.last_synced_at)],
    ["Created (UTC)", shortTime(r.created_at)], ["Updated (UTC)", shortTime(r.updated_at)]];
  for (const [name, value] of rows) fields.append(el("dt", name), el("dd", value === null || value === undefined ? "—" : value));
  fields.append(el("dt", "External link"));
  const link = el("dd");
  link.append(r.external_link ? safeLink(r.external_link) : el("span", "—"));
  fields.append(link);
  $("detail").showModal();
  $("detail-close").focus();
}

// ---- status reports ----

async function loadReports() {
  const params = new URLSearchParams({ has_external_references: "true", include: "external_references,workspace",
    page: String(reportsPage), per_page: String(REPORTS_PER_PAGE) });
  const envelope = await api("/api/v1/status_reports?" + params.toString());
  const list = $("reports");
  list.replaceChildren();
  for (const result of envelope.results) {
    const report = envelope.status_reports[result.id];
    const workspace = envelope.workspaces && envelope.workspaces[report.workspace_id];
    const item = el("li");
    const head = el("p");
    head.append(el("span", report.color, "dot " + report.color), el("strong", "Report " + report.id),
      el("span", " · " + (workspace ? workspace.title : "Workspace " + report.workspace_id) + " · updated " + shortTime(report.updated_at)));
    item.append(head, el("p", report.description, "message"));
    const refs = el("ul");
    for (const id of report.external_reference_ids || []) {
      const r = envelope.external_references[id];
      if (!r) continue;
      const li = el("li");
      li.append(el("span", r.service_name + ": "), el("span", r.status, "state " + r.status),
        el("span", (r.external_status ? " · " + r.external_status : "") + (r.external_message ? " · " + r.external_message : "")));
      if (r.external_link) { li.append(" "); li.append(safeLink(r.external_link, "Open")); }
      refs.append(li);
    }
    item.append(refs);
    list.append(item);
  }
  const pages = envelope.meta.page_count;
  $("reports-status").textContent = envelope.count + " status reports with references.";
  $("reports-page").textContent = pages === 0 ? "No pages" : "Page " + reportsPage + " of " + pages;
  $("reports-prev").disabled = reportsPage <= 1;
  $("reports-next").disabled = reportsPage >= pages;
}

async function loadAll(chooseType) {
  // The references wait for the summary only when it has to choose their subject type; otherwise all three load at once.
  const summary = guarded(() => loadSummary(chooseType), "summary-status");
  if (chooseType && !$("f-subject-type").value) await summary;
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  await Promise.all([summary, guarded(loadReferences, "refs-status"), guarded(loadReports, "reports-status")]);
}

function setup() {
  const types = $("f-subject-type");
  for (const type of SUBJECT_TYPES) { const o = document.createElement("option"); o.value = type; o.textContent = type; types.append(o); }
  types.value = "";
  const initial = readFilters();
  fillForm(initial);
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut(""));
  $("refresh").addEventListener("click", () => loadAll(false));
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); refsPage = 1; guarded(loadReferences, "refs-status"); });
  $("show-failed").addEventListener("click", () => {
    fillForm({ ...formFilters(), status: "failed", last_synced_before: "", last_synced_after: "" });
    refsPage = 1; guarded(loadReferences, "refs-status");
  });
  $("show-stale").addEventListener("click", () => {
    const hourAgo = new Date(Date.now() - 3600 * 1000).toISOString().slice(0, 16);
    fillForm({ ...formFilters(), status: "pending", last_synced_before: hourAgo, last_synced_after: "" });
    refsPage = 1; guarded(loadReferences, "refs-status");
  });
  $("refs-prev").addEventListener("click", () => { refsPage = Math.max(1, refsPage - 1); guarded(loadReferences, "refs-status"); });
  $("refs-next").addEventListener("click", () => { refsPage += 1; guarded(loadReferences, "refs-status"); });
  $("reports-prev").addEventListener("click", () => { reportsPage = Math.max(1, reportsPage - 1); guarded(loadReports, "reports-status"); });
  $("reports-next").addEventListener("click", () => { reportsPage += 1; guarded(loadReports, "reports-status"); });
  const signedIn = !!sessionStorage.getItem(TOKEN_KEY);
  showSignedIn(signedIn);
  if (signedIn) loadAll(!initial.subject_type);
  else $("token").focus();
}

setup();
