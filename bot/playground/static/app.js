// The playground page: polls the stand-in's state and draws a small Slack around it.
import { h, renderBlocks, collectValues, showErrors, confirmDialog } from "./blockkit.js";
import { mrkdwn, plainHtml, partsIn, hhmm, safeUrl } from "./mrkdwn.js";

const $ = (id) => document.getElementById(id);
const params = new URL(location.href).searchParams;
const store = {
  get: (k, d = null) => { try { return JSON.parse(localStorage.getItem(`lk.${k}`)) ?? d; } catch { return d; } },
  set: (k, v) => { try { localStorage.setItem(`lk.${k}`, JSON.stringify(v)); } catch { /* private mode */ } },
};

const DEFAULT_PERSON = "UREC0001";
const ui = {
  as: params.get("as") || store.get("as", "") || DEFAULT_PERSON,
  channel: null,
  tab: store.get("tab", "home"),   // for the Loopkeeper app page
  state: null,
  version: null,
  poll: null,
  keys: {},                        // what each pane was last drawn from, to skip redraws
  history: store.get("history", []),
  histPos: -1,
  pendingHome: true,
};

// ---- talking to the backend ----------------------------------------------------------------

async function api(path, body) {
  try {
    const r = await fetch(`/playground/api/${path}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({ ok: false, error: `HTTP ${r.status}` }));
    if (!r.ok && data.ok !== false) return { ok: false, error: data.error || `HTTP ${r.status}` };
    return data;
  } catch (e) {
    return { ok: false, error: `Network error: ${e.message}` };
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Long poll: the server answers at once when its version moved past ours, else after ~25 s.
async function pollLoop() {
  for (;;) {
    const as = ui.as;
    ui.poll = new AbortController();
    const q = new URLSearchParams();
    if (as) q.set("as", as);
    if (ui.version != null) q.set("since", ui.version);
    try {
      const r = await fetch(`/playground/api/state?${q}`, { signal: ui.poll.signal, cache: "no-store" });
      // The server wants a known person: start as the recruiter when none (or a stale one) is given.
      if (r.status === 400 && as !== DEFAULT_PERSON) { ui.as = DEFAULT_PERSON; ui.version = null; continue; }
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const s = await r.json();
      $("offline").hidden = true;
      if (as !== ui.as) continue;  // switched person while waiting
      if (s.version !== ui.version || !ui.state) { ui.version = s.version; apply(s); }
    } catch (e) {
      if (e.name === "AbortError") continue;
      $("offline").hidden = false;
      await sleep(2000);
    }
  }
}

function toast(text, kind = "info") {
  const t = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", "data-testid": "toast" }, text);
  $("toasts").append(t);
  setTimeout(() => t.remove(), kind === "error" ? 6000 : 3500);
}

/** POST, with the clicked control disabled until the answer, and errors in a toast. */
async function busy(node, path, body) {
  if (node) node.disabled = true;
  try {
    const res = await api(path, body);
    if (res.ok === false) toast(res.error || "Something went wrong", "error");
    return res;
  } finally {
    if (node) node.disabled = false;
  }
}

// ---- people, time -----------------------------------------------------------------------

const me = () => ui.state?.me || {};
const personById = (id) => (ui.state?.bot?.id === id ? { ...ui.state.bot, bot: true } : ui.state?.people.find((p) => p.id === id));
const WEEK = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const dayLabel = (p) => `${WEEK[p.weekday]} ${p.day} ${MON[p.month - 1]} ${p.year}`;

function ctx(extra = {}) {
  const s = ui.state;
  return { people: s.people, bot: s.bot, channels: s.channels, tz: s.me.tz, now: s.now_epoch, ...extra };
}

function avatar(userId) {
  const p = personById(userId);
  const name = p?.name || userId || "?";
  if (p?.bot) return h("div", { class: "avatar bot", title: name }, "⟳");
  const initials = name.split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
  let hash = 0;
  for (const c of String(userId)) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return h("div", { class: "avatar", title: name, style: `background:hsl(${hash % 360} 45% 42%)` }, initials);
}

// ---- drawing the state ---------------------------------------------------------------------

function apply(s) {
  ui.state = s;
  if (ui.as !== s.me.id) ui.as = s.me.id;
  remember();
  const ids = s.channels.map((c) => c.id);
  if (!ids.includes(ui.channel)) {
    const saved = store.get(`channel.${ui.as}`);
    ui.channel = ids.includes(saved) ? saved : (s.channels.find((c) => c.kind !== "im") || s.channels[0])?.id;
  }
  drawTop();
  drawSidebar();
  drawMain();
  drawTips();
  drawModal();
  markRead();
  // On load and after a switch, a Home tab on screen counts as opened.
  if (ui.pendingHome) { ui.pendingHome = false; if (isApp()) openAppTab(); }
}

function remember() {
  store.set("as", ui.as);
  const url = new URL(location.href);
  if (url.searchParams.get("as") !== ui.as) { url.searchParams.set("as", ui.as); history.replaceState(null, "", url); }
}

function drawTop() {
  const s = ui.state, p = partsIn(s.now_epoch, s.me.tz);
  $("clock").textContent = `${dayLabel(p)}, ${hhmm(p)}`;
  $("clock").title = `${s.me.tz} · ${s.now_iso}`;
  $("sweep").textContent = s.last_sweep ? `Last sweep: ${s.last_sweep}` : "";
  const sel = $("person");
  const key = JSON.stringify([s.people, s.me.id]);
  if (ui.keys.people !== key) {
    ui.keys.people = key;
    sel.replaceChildren(...s.people.map((x) => h("option", { value: x.id }, x.hat ? `${x.name} — ${x.hat}` : x.name)));
    sel.value = s.me.id;
  }
  $("workspace").textContent = s.workspace || "Playground";
}

function drawSidebar() {
  const s = ui.state;
  const item = (c) => {
    const icon = c.kind === "private" ? "🔒" : c.kind === "public" ? "#" : null;
    return h("li", {}, h("button", {
      type: "button", class: `side-item${c.id === ui.channel ? " selected" : ""}${c.unread ? " unread" : ""}`,
      "data-channel": c.id, onclick: () => openConversation(c.id),
    }, icon ? h("span", { class: "side-icon" }, icon) : avatar(s.bot.id), h("span", { class: "side-name" }, c.name),
    c.unread ? h("span", { class: "badge", "data-testid": "unread" }, String(c.unread)) : null));
  };
  $("channels").replaceChildren(...s.channels.filter((c) => c.kind !== "im").map(item));
  $("apps").replaceChildren(...s.channels.filter((c) => c.kind === "im").map(item));
}

const current = () => ui.state?.channels.find((c) => c.id === ui.channel);
const isApp = () => current()?.kind === "im";
const showingMessages = () => !isApp() || ui.tab === "messages";

function drawMain() {
  const c = current();
  if (!c) { $("conv-head").textContent = "No conversations yet"; return; }
  const app = isApp();
  $("conv-head").replaceChildren(app ? avatar(ui.state.bot.id) : h("span", { class: "head-icon" }, c.kind === "private" ? "🔒" : "#"),
    h("span", { class: "head-name" }, c.name), app ? h("span", { class: "app-tag" }, "APP") : "");
  $("tabs").hidden = !app;
  for (const b of $("tabs").children) b.classList.toggle("active", b.dataset.tab === (app ? ui.tab : "messages"));
  const showMsgs = showingMessages();
  $("home").hidden = showMsgs;
  $("messages").hidden = !showMsgs;
  $("composer-form").hidden = !showMsgs;
  $("composer").placeholder = app ? `Message ${c.name}` : `Message #${c.name}`;
  // Loopkeeper reads files only in a person's DM with it, so that is where the clip is.
  $("attach").hidden = !app;
  $("attach-hint").hidden = !app;
  if (showMsgs) drawMessages(); else drawHome();
}

// Times are shown to the minute ("in 5 minutes", "today at 10:00"): redrawn when the
// minute turns, not at every second's state update, which closed a menu left open.
function shownMinute() {
  return Math.floor(ui.state.now_epoch / 60);
}

function drawHome() {
  const home = ui.state.home;
  const key = home ? `${ui.as}|${home.id}|${home.hash}|${shownMinute()}` : `none|${ui.as}`;
  if (ui.keys.home === key) return;
  ui.keys.home = key;
  if (!home) { $("home").replaceChildren(h("div", { class: "empty" }, "Loading Home…")); return; }
  const onAction = (blockId, action, node, el) =>
    act(node, el, { surface: "home", view_id: home.id, block_id: blockId, action });
  $("home").replaceChildren(h("div", { class: "home-view" }, renderBlocks(home.blocks, ctx({ onAction }))));
}

function drawMessages() {
  const list = ui.state.messages[ui.channel] || [];
  const key = JSON.stringify([ui.as, ui.channel, shownMinute(), list]);
  if (ui.keys.messages === key) return;
  const pane = $("messages");
  const last = list.at(-1)?.ts;
  // Follow new messages, and keep following while the reader has not taken the scroll
  // (a chart that grew the list since the last draw leaves the pane short of the bottom
  // for a frame, which is not the reader scrolling up); otherwise keep them where they were.
  const following = ui.follow?.signal.aborted === false;
  const stick = ui.keys.channel !== ui.channel || ui.keys.last !== last || following ||
    pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  const top = pane.scrollTop;
  ui.keys.messages = key;
  ui.keys.channel = ui.channel;
  ui.keys.last = last;
  const tz = me().tz;
  const rows = [];
  let day = null;
  for (const m of list) {
    const p = partsIn(Number(m.ts), tz);
    const d = dayLabel(p);
    if (d !== day) { day = d; rows.push(h("div", { class: "day" }, h("span", {}, d))); }
    rows.push(message(m, p));
  }
  if (!rows.length) rows.push(h("div", { class: "empty" }, "No messages yet."));
  pane.replaceChildren(h("div", { class: "msg-list" }, rows));
  pane.scrollTop = stick ? pane.scrollHeight : top;
  // A chart laid out after the scroll pushes the newest messages out of view: while the
  // list grows, follow it down, until the reader takes the scroll (wheel, touch, the
  // scrollbar, a key) or the list is drawn anew. Where the pane stands can't tell the
  // reader from the browser, which moves it itself to keep what is in view in place
  // while content above it grows.
  ui.follow?.abort();
  ui.follow = null;
  if (stick) {
    const follow = new AbortController();
    const grown = new ResizeObserver(() => { pane.scrollTop = pane.scrollHeight; });
    grown.observe(pane.firstElementChild);
    follow.signal.addEventListener("abort", () => grown.disconnect());
    const taken = () => follow.abort();
    for (const type of ["wheel", "touchstart", "mousedown"]) {
      pane.addEventListener(type, taken, { signal: follow.signal, passive: true });
    }
    document.addEventListener("keydown", (event) => {
      if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "].includes(event.key) &&
          !event.target.closest?.("input, textarea")) taken();
    }, { signal: follow.signal });
    ui.follow = follow;
  }
}

function message(m, p) {
  const who = personById(m.user);
  const channel = ui.channel;
  const ephemeral = !!(m.ephemeral || m.ephemeral_to);
  const onAction = (blockId, action, node, el) =>
    act(node, el, { surface: "message", channel, ts: m.ts, block_id: blockId, action });
  const body = m.blocks?.length
    ? renderBlocks(m.blocks, ctx({ onAction }))
    : h("div", { class: "mrkdwn msg-text", html: mrkdwn(m.text || "", ctx()) });
  const files = (m.files || []).map((f) => {
    const url = safeUrl(f.url);
    if (!url) return h("div", { class: "file" }, f.title || f.name);
    return /^image\//.test(f.mimetype || "")
      ? h("figure", { class: "file image-file" }, h("figcaption", {}, f.title || f.name), h("a", { href: url, target: "_blank" }, h("img", { src: url, alt: f.title || f.name })))
      : h("a", { class: "file", href: url, target: "_blank", download: f.name || "" }, "📄 ", f.title || f.name);
  });
  return h("div", { class: `msg${ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts },
    avatar(m.user),
    h("div", { class: "msg-body" },
      ephemeral ? h("div", { class: "eph-note" }, "👁 Only visible to you · ",
        h("button", { type: "button", class: "linkish", "data-testid": "dismiss", onclick: (e) => busy(e.currentTarget, "dismiss", { as: ui.as, channel, ts: m.ts }) }, "Dismiss")) : null,
      h("div", { class: "msg-head" }, h("span", { class: "msg-name" }, who?.name || m.username || m.user || "Unknown"),
        who?.bot ? h("span", { class: "app-tag" }, "APP") : null,
        h("time", { class: "msg-time", title: `${dayLabel(p)} ${hhmm(p)} (${me().tz})` }, hhmm(p))),
      body, files,
      m.edited ? h("span", { class: "edited" }, "(edited)") : null));
}

/** A block action, from any surface; asks first when the element has a confirm object. */
async function act(node, el, body) {
  if (el?.confirm && !(await confirmDialog(el.confirm, ctx()))) return;
  await busy(node, "action", { as: ui.as, ...body });
}

// ---- the modal ------------------------------------------------------------------------------

function drawModal() {
  const m = ui.state.modal;
  const root = $("modal-root");
  if (!m) { root.replaceChildren(); ui.keys.modal = null; return; }
  const view = m.view;
  const key = `${ui.as}|${view.id}|${view.hash}`;
  // Same view and hash: keep the DOM, so what the person typed stays; only errors change.
  if (ui.keys.modal !== key) {
    ui.keys.modal = key;
    root.replaceChildren(modalDom(view, m.depth || 1));
    // As Slack's client does: a form opens with its first field ready to type in.
    root.querySelector(".dialog-body input, .dialog-body textarea, .dialog-body select")?.focus();
  }
  showErrors(root, m.errors || {});
  const first = root.querySelector(".has-error");
  if (first && ui.keys.errors !== JSON.stringify(m.errors)) first.scrollIntoView({ block: "nearest" });
  ui.keys.errors = JSON.stringify(m.errors);
}

function modalDom(view, depth) {
  let body;
  const close = () => busy(null, "close", { as: ui.as, view_id: view.id });
  const onAction = (blockId, action, node, el) =>
    act(node, el, { surface: "modal", view_id: view.id, block_id: blockId, action, values: collectValues(body) });
  body = h("div", { class: "dialog-body" }, renderBlocks(view.blocks, ctx({ onAction })));
  const submit = async (e) => {
    e.preventDefault();
    // Like Slack's client: required inputs left empty are flagged before anything is sent.
    const values = collectValues(body);
    const missing = {};
    for (const b of view.blocks) {
      if (b.type !== "input" || b.optional) continue;
      const v = values[b.block_id]?.[b.element.action_id] || {};
      const picked = Object.entries(v).find(([k]) => k !== "type")?.[1];
      if (picked == null || (Array.isArray(picked) && !picked.length)) missing[b.block_id] = "Please complete this required field.";
    }
    for (const box of body.querySelectorAll(".block-input")) {
      const half = box.querySelector(".datetime")?.lkIncomplete?.();
      if (half) missing[box.dataset.blockId] = half;
    }
    if (Object.keys(missing).length) { showErrors(body, missing); return; }
    const res = await busy(e.submitter || form.querySelector("[data-testid=modal-submit]"), "submit", { as: ui.as, view_id: view.id, values });
    // The answer may carry the field errors before the next state does.
    if (res.errors && Object.keys(res.errors).length) showErrors(body, res.errors);
  };
  const form = h("form", { class: "dialog modal", "data-testid": "modal", "data-view-id": view.id, novalidate: true, onsubmit: submit },
    h("div", { class: "dialog-head" },
      depth > 1 ? h("span", { class: "back", title: "Back", "aria-hidden": "true" }, "←") : null,
      h("h2", { html: plainHtml(view.title?.text || "") }),
      h("button", { type: "button", class: "x", title: "Close", "aria-label": "Close", "data-testid": "modal-x", onclick: close }, "×")),
    body,
    h("div", { class: "dialog-foot" },
      h("button", { type: "button", class: "btn", "data-testid": "modal-close", onclick: close }, view.close?.text || (view.submit ? "Cancel" : "Close")),
      view.submit ? h("button", { type: "submit", class: "btn primary", "data-testid": "modal-submit" }, view.submit.text) : null));
  // Enter in a one-line field would submit the whole form; Slack doesn't, so neither do we.
  form.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target.tagName === "INPUT") e.preventDefault(); });
  return h("div", { class: "overlay" }, form);
}

document.addEventListener("keydown", (e) => {
  const m = ui.state?.modal;
  if (e.key === "Escape" && m && !document.querySelector(".confirm-overlay")) busy(null, "close", { as: ui.as, view_id: m.view.id });
});

// ---- three things to try ---------------------------------------------------------------

function drawTips() {
  const tips = ui.state.suggestions || [];
  const hidden = store.get("tipsHidden", false);
  $("show-tips").hidden = !hidden || !tips.length;
  const box = $("tips");
  box.hidden = hidden || !tips.length;
  const key = JSON.stringify(tips);
  if (box.hidden || ui.keys.tips === key) return;
  ui.keys.tips = key;
  box.replaceChildren(
    h("div", { class: "tips-head" }, h("b", {}, "Three things to try"),
      h("button", { type: "button", class: "x", title: "Hide", "aria-label": "Hide", "data-testid": "tips-dismiss", onclick: () => { store.set("tipsHidden", true); drawTips(); } }, "×")),
    h("div", { class: "tips-list" }, tips.map((t) => h("button", { type: "button", class: "tip", "data-testid": "tip", onclick: () => useTip(t) },
      h("b", {}, t.title), h("span", {}, t.text)))));
}

function useTip(t) {
  ui.tab = "messages";
  store.set("tab", "messages");
  if (t.as && t.as !== ui.as) switchPerson(t.as, t.channel);
  else if (t.channel) openConversation(t.channel);
  const box = $("composer");
  box.value = t.prefill || "";
  box.focus();
  fitComposer();
}

// ---- navigation -------------------------------------------------------------------------

function openConversation(id) {
  ui.channel = id;
  store.set(`channel.${ui.as}`, id);
  if (!ui.state) return;
  $("composer-error").hidden = true;
  drawSidebar();
  drawMain();
  markRead();
  if (isApp()) openAppTab();
}

function showTab(tab) {
  ui.tab = tab;
  store.set("tab", tab);
  drawMain();
  markRead();
  if (isApp()) openAppTab();
}

// Slack tells the app each time a person opens its Home tab or its Messages tab.
function openAppTab() {
  if (ui.tab === "home") ui.keys.home = null;
  api("home", { as: ui.as, tab: ui.tab }).then((r) => r.ok === false && toast(r.error, "error"));
}

function switchPerson(id, channel) {
  if (id === ui.as && !channel) return;
  ui.as = id;
  ui.version = null;
  ui.keys = {};
  ui.channel = channel || store.get(`channel.${id}`);
  if (channel) store.set(`channel.${id}`, channel);
  remember();
  ui.pendingHome = true;
  ui.poll?.abort();  // the loop starts again at once for the new person
}

let reading = null;
function markRead() {
  const c = current();
  if (!c || !c.unread || !showingMessages() || reading === c.id || document.hidden) return;
  reading = c.id;
  api("read", { as: ui.as, channel: c.id }).finally(() => { reading = null; });
}
document.addEventListener("visibilitychange", () => ui.state && markRead());

// ---- composer ---------------------------------------------------------------------------

function fitComposer() {
  const box = $("composer");
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, 200)}px`;
}

async function send() {
  const box = $("composer"), text = box.value.trim();
  if (!text || !ui.channel) return;
  const err = $("composer-error");
  err.hidden = true;
  box.disabled = true;
  const res = await api("say", { as: ui.as, channel: ui.channel, text });
  box.disabled = false;
  ui.history = [...ui.history.filter((x) => x !== text), text].slice(-30);
  store.set("history", ui.history);
  ui.histPos = -1;
  if (res.ok === false) {
    err.textContent = res.error || "That did not go through.";
    err.hidden = false;
  } else {
    box.value = "";
  }
  fitComposer();
  // Back to the composer, unless the answer opened a form (a command's modal arrives
  // before the command returns) or the person is already typing somewhere else: taking
  // the focus then sent their next keystrokes into the composer instead of the form.
  const elsewhere = document.activeElement && document.activeElement !== document.body && document.activeElement !== box;
  if (!ui.state?.modal && !elsewhere) box.focus();
}

// ---- sharing a file ------------------------------------------------------------------------

const base64Of = (file) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
  reader.onerror = () => reject(reader.error);
  reader.readAsDataURL(file);
});

/** Each file as its own message in the DM, as Slack shares a dropped file; the app answers it. */
async function shareFiles(files) {
  const err = $("composer-error");
  err.hidden = true;
  const fail = (text) => { err.textContent = text; err.hidden = false; };
  if (!files.length || !ui.state) return;
  if (!isApp()) {
    fail(`Files go to ${ui.state.bot.name}: open its Messages tab (under Apps) and share them there.`);
    return;
  }
  if (ui.tab !== "messages") showTab("messages");  // dropped on Home: shared where it shows
  const limit = ui.state.max_file_bytes;
  const button = $("attach");
  button.disabled = true;
  try {
    for (const file of files) {
      // Checked here too, so a huge file is not read into the page only to be refused.
      if (limit && file.size > limit) {
        fail(`${file.name} is larger than ${Math.round(limit / 1048576)} MB, more than the playground takes.`);
        continue;
      }
      let data;
      try { data = await base64Of(file); } catch { fail(`${file.name} could not be read.`); continue; }
      const res = await api("share", { as: ui.as, filename: file.name, data });
      if (res.ok === false) fail(res.error || "That file did not go through.");
    }
  } finally {
    button.disabled = false;
  }
}

const dragsFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");

$("attach").addEventListener("click", () => $("file-input").click());
$("file-input").addEventListener("change", (e) => {
  const files = [...e.target.files];
  e.target.value = "";  // choosing the same file again is a new share
  shareFiles(files);
});
$("main").addEventListener("dragover", (e) => {
  if (!dragsFiles(e)) return;
  e.preventDefault();  // a drop elsewhere than the app's DM is taken too, to say where files go
  e.dataTransfer.dropEffect = "copy";
  $("main").classList.toggle("dropping", isApp());
});
$("main").addEventListener("dragleave", (e) => {
  if (!$("main").contains(e.relatedTarget)) $("main").classList.remove("dropping");
});
$("main").addEventListener("drop", (e) => {
  if (!dragsFiles(e)) return;
  e.preventDefault();
  $("main").classList.remove("dropping");
  shareFiles([...e.dataTransfer.files]);
});
// A file dropped anywhere else would make the browser leave the page to show it.
for (const type of ["dragover", "drop"]) document.addEventListener(type, (e) => { if (dragsFiles(e)) e.preventDefault(); });

$("composer-form").addEventListener("submit", (e) => { e.preventDefault(); send(); });
$("composer").addEventListener("input", fitComposer);
$("composer").addEventListener("keydown", (e) => {
  const box = e.currentTarget;
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); return; }
  // ↑ on the first line walks back through what was sent; ↓ forward again.
  const firstLine = !box.value.slice(0, box.selectionStart).includes("\n");
  if (e.key === "ArrowUp" && firstLine && ui.history.length && (box.value === "" || ui.histPos >= 0)) {
    e.preventDefault();
    ui.histPos = ui.histPos < 0 ? ui.history.length - 1 : Math.max(0, ui.histPos - 1);
    box.value = ui.history[ui.histPos];
  } else if (e.key === "ArrowDown" && ui.histPos >= 0) {
    e.preventDefault();
    ui.histPos += 1;
    box.value = ui.histPos < ui.history.length ? ui.history[ui.histPos] : "";
    if (ui.histPos >= ui.history.length) ui.histPos = -1;
  }
});

// ---- wiring ----------------------------------------------------------------------------------

for (const b of document.querySelectorAll("[data-step]")) {
  b.addEventListener("click", async () => {
    const res = await busy(b, "clock", { as: ui.as, step: b.dataset.step });
    if (res.ok !== false) toast(`Clock moved${res.summary ? ` · ${res.summary}` : ""}`);
  });
}
$("person").addEventListener("change", (e) => switchPerson(e.target.value));
$("tabs").addEventListener("click", (e) => {
  const tab = e.target.closest("[data-tab]")?.dataset.tab;
  if (!tab || !ui.state || (tab === ui.tab && isApp())) return;  // already open
  showTab(tab);
});
$("show-tips").addEventListener("click", () => { store.set("tipsHidden", false); ui.keys.tips = null; drawTips(); });
// <#C…> links inside messages open that conversation.
document.addEventListener("click", (e) => {
  const link = e.target.closest("[data-channel-link]");
  if (!link) return;
  e.preventDefault();
  if (ui.state?.channels.some((c) => c.id === link.dataset.channelLink)) openConversation(link.dataset.channelLink);
});

pollLoop();
