// Block Kit → DOM, as Slack draws it. Text goes through mrkdwn()/plainHtml(), which
// escape everything; every other string is set with textContent or attributes.
import { mrkdwn, plainHtml, emojify, mrkdwnToPlain, escapeHtml, safeUrl, partsIn, epochIn, hhmm } from "./mrkdwn.js";

/** Build an element: h("div", {class: "x", onclick: f}, child, "text", …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "html") el.innerHTML = v;  // only ever given mrkdwn()/plainHtml() output
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A text object (plain_text or mrkdwn) as an element. */
export function textEl(obj, ctx, tag = "span", cls = "") {
  if (!obj) return null;
  const html = obj.type === "mrkdwn" ? mrkdwn(obj.text, ctx) : plainHtml(obj.text);
  return h(tag, { class: `${cls} ${obj.type === "mrkdwn" ? "mrkdwn" : "plain"}`.trim(), html });
}
const plainOf = (obj, ctx) => (obj ? (obj.type === "mrkdwn" ? mrkdwnToPlain(obj.text, ctx) : emojify(String(obj.text ?? ""))) : "");
const optLabel = (o, ctx) => plainOf(o.text, ctx) + (o.description ? ` — ${plainOf(o.description, ctx)}` : "");

// ---- confirm dialog ----------------------------------------------------------------------

/** Slack's confirm object as a dialog; resolves true when confirmed. */
export function confirmDialog(confirm, ctx) {
  return new Promise((resolve) => {
    const done = (ok) => { back.remove(); document.removeEventListener("keydown", key, true); resolve(ok); };
    const key = (e) => { if (e.key === "Escape") { e.stopPropagation(); done(false); } };
    const yes = h("button", { class: `btn ${confirm.style === "danger" ? "danger" : "primary"}`, "data-testid": "confirm-yes", onclick: () => done(true) },
      plainOf(confirm.confirm, ctx) || "Yes");
    const back = h("div", { class: "overlay confirm-overlay", onclick: (e) => e.target === back && done(false) },
      h("div", { class: "dialog confirm", role: "alertdialog", "data-testid": "confirm" },
        h("div", { class: "dialog-head" }, h("h2", {}, plainOf(confirm.title, ctx) || "Are you sure?")),
        h("div", { class: "dialog-body" }, textEl(confirm.text, ctx, "div")),
        h("div", { class: "dialog-foot" },
          h("button", { class: "btn", "data-testid": "confirm-no", onclick: () => done(false) }, plainOf(confirm.deny, ctx) || "Cancel"), yes)));
    document.body.append(back);
    document.addEventListener("keydown", key, true);
    yes.focus();
  });
}

// One listener closes every open overflow menu on any outside click.
document.addEventListener("click", () => document.querySelectorAll(".menu").forEach((m) => { m.hidden = true; }));

// ---- elements ------------------------------------------------------------------------------

// Picks for users_select / conversations_select come from the playground state.
const peopleOptions = (ctx) => (ctx.people || []).map((p) => ({ value: p.id, label: p.hat ? `${p.name} (${p.hat})` : p.name }));
function channelOptions(el, ctx) {
  const include = el.filter?.include;  // ["private", "public", "im", "mpim"]
  return (ctx.channels || [])
    .filter((c) => (include ? include.includes(c.kind) : c.kind === "private" || c.kind === "public"))
    .map((c) => ({ value: c.id, label: `${c.kind === "private" ? "🔒 " : "# "}${c.name}` }));
}
const allOptions = (el) => el.options || (el.option_groups || []).flatMap((g) => g.options);
const sameOption = (a, b) => a && b && a.value === b.value;

/** A <select> over [{value, label}] with an optional empty first choice. */
function selectBox(choices, selected, placeholder, groups) {
  const sel = h("select", { class: "select" }, h("option", { value: "" }, placeholder || "Select an item"));
  if (groups) {
    for (const g of groups) sel.append(h("optgroup", { label: g.label }, g.items.map((c) => h("option", { value: c.value }, c.label))));
  } else {
    for (const c of choices) sel.append(h("option", { value: c.value }, c.label));
  }
  sel.value = selected ?? "";
  sel.classList.toggle("empty", !sel.value);
  sel.addEventListener("change", () => sel.classList.toggle("empty", !sel.value));
  return sel;
}

/** Chips plus an "add" select: Slack's multi-select, simply. choices: [{value, label}]. */
function multiPicker(choices, initial, placeholder, onChange) {
  let chosen = initial.filter((v) => choices.some((c) => c.value === v));
  const chips = h("div", { class: "chips" });
  const add = h("select", { class: "select empty" });
  const box = h("div", { class: "multi" }, chips, add);
  const draw = () => {
    chips.replaceChildren(...chosen.map((v) => h("span", { class: "chip" }, choices.find((c) => c.value === v)?.label ?? v,
      h("button", { type: "button", class: "chip-x", title: "Remove", onclick: () => { chosen = chosen.filter((x) => x !== v); draw(); onChange?.(); } }, "×"))));
    add.replaceChildren(h("option", { value: "" }, chosen.length ? "Add more…" : placeholder || "Select items"),
      ...choices.filter((c) => !chosen.includes(c.value)).map((c) => h("option", { value: c.value }, c.label)));
    add.value = "";
  };
  add.addEventListener("change", () => { if (add.value) { chosen.push(add.value); draw(); onChange?.(); } });
  draw();
  box.values = () => [...chosen];
  return box;
}

/**
 * Any interactive element. Returns a node whose .lkValue() gives the value fields of
 * Slack's state/action shape ({value}, {selected_option}, …). `fire(extra)` sends a
 * block action; it is called on click (buttons, overflow) or on change when `dispatch`.
 */
export function element(el, ctx, { fire, dispatch }) {
  const ph = plainOf(el.placeholder, ctx);
  const onChange = () => dispatch && fire();
  let node;
  switch (el.type) {
    case "button": {
      node = h("button", { type: "button", class: `btn ${el.style || ""}`.trim(), "data-action-id": el.action_id, "data-testid": "button" }, plainOf(el.text, ctx));
      if (el.url && safeUrl(el.url)) node.addEventListener("click", () => window.open(safeUrl(el.url), "_blank", "noopener"));
      node.addEventListener("click", () => fire({ value: el.value }, node));
      node.lkValue = () => ({ value: el.value });
      return node;
    }
    case "overflow": {
      const menu = h("div", { class: "menu", hidden: true });
      const btn = h("button", { type: "button", class: "btn overflow", "data-action-id": el.action_id, title: "More actions", "aria-label": "More actions" }, "⋮");
      for (const o of el.options) {
        menu.append(h("button", { type: "button", class: "menu-item", onclick: () => { menu.hidden = true; fire({ selected_option: o }, btn); } }, optLabel(o, ctx)));
      }
      btn.addEventListener("click", (e) => {
        e.stopPropagation();
        menu.hidden = !menu.hidden;
        // Near the bottom of the message list (or the window) the menu opens upwards,
        // as Slack's does, instead of being cut off.
        const list = btn.closest("#messages");
        const floor = list ? list.getBoundingClientRect().bottom : window.innerHeight;
        const below = floor - btn.getBoundingClientRect().bottom;
        menu.classList.toggle("up", !menu.hidden && below < menu.offsetHeight + 8);
      });
      node = h("span", { class: "overflow-wrap" }, btn, menu);
      node.lkValue = () => ({});
      return node;
    }
    case "static_select": case "external_select": {
      const opts = allOptions(el);
      // Slack's option values are unique within a menu, so they serve as the DOM's too.
      const initial = opts.find((o) => sameOption(o, el.initial_option));
      const groups = el.option_groups?.map((g) => ({ label: plainOf(g.label, ctx), items: g.options.map((o) => ({ value: o.value, label: optLabel(o, ctx) })) }));
      node = selectBox(opts.map((o) => ({ value: o.value, label: optLabel(o, ctx) })), initial ? initial.value : "", ph, groups);
      node.lkValue = () => ({ selected_option: node.value === "" ? null : opts.find((o) => o.value === node.value) ?? null });
      break;
    }
    case "multi_static_select": case "multi_external_select": {
      const opts = allOptions(el);
      const initial = opts.filter((o) => (el.initial_options || []).some((io) => sameOption(o, io))).map((o) => o.value);
      node = multiPicker(opts.map((o) => ({ value: o.value, label: optLabel(o, ctx) })), initial, ph, onChange);
      node.lkValue = () => ({ selected_options: node.values().map((v) => opts.find((o) => o.value === v)).filter(Boolean) });
      return node;
    }
    case "users_select":
      node = selectBox(peopleOptions(ctx), el.initial_user, ph || "Select a person");
      node.lkValue = () => ({ selected_user: node.value || null });
      break;
    case "multi_users_select":
      node = multiPicker(peopleOptions(ctx), el.initial_users || [], ph || "Select people", onChange);
      node.lkValue = () => ({ selected_users: node.values() });
      return node;
    case "conversations_select": case "channels_select": {
      node = selectBox(channelOptions(el, ctx), el.initial_conversation ?? el.initial_channel, ph || "Select a channel");
      const key = el.type === "channels_select" ? "selected_channel" : "selected_conversation";
      node.lkValue = () => ({ [key]: node.value || null });
      break;
    }
    case "multi_conversations_select": case "multi_channels_select": {
      node = multiPicker(channelOptions(el, ctx), el.initial_conversations || el.initial_channels || [], ph, onChange);
      const key = el.type === "multi_channels_select" ? "selected_channels" : "selected_conversations";
      node.lkValue = () => ({ [key]: node.values() });
      return node;
    }
    case "radio_buttons": case "checkboxes": {
      const multi = el.type === "checkboxes";
      const name = `r${Math.random().toString(36).slice(2)}`;
      const initial = multi ? el.initial_options || [] : [el.initial_option].filter(Boolean);
      const boxes = el.options.map((o) => {
        const input = h("input", { type: multi ? "checkbox" : "radio", name, checked: initial.some((io) => sameOption(io, o)), onchange: onChange });
        return [input, h("label", { class: "choice" }, input,
          h("span", {}, textEl(o.text, ctx), o.description ? textEl(o.description, ctx, "div", "choice-desc") : null))];
      });
      node = h("div", { class: "choices" }, boxes.map(([, label]) => label));
      const picked = () => el.options.filter((o, i) => boxes[i][0].checked);
      node.lkValue = () => (multi ? { selected_options: picked() } : { selected_option: picked()[0] ?? null });
      return node;
    }
    case "datepicker":
      node = h("input", { type: "date", class: "input", value: el.initial_date || "" });
      node.lkValue = () => ({ selected_date: node.value || null });
      break;
    case "timepicker":
      node = h("input", { type: "time", class: "input", value: el.initial_time || "" });
      node.lkValue = () => ({ selected_time: node.value || null });
      break;
    case "datetimepicker": {
      // Shown and read in the viewer's zone (state.me.tz), sent as epoch seconds.
      const tz = ctx.tz || "UTC";
      const p = el.initial_date_time != null ? partsIn(Number(el.initial_date_time), tz) : null;
      const date = h("input", { type: "date", class: "input", value: p ? `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}` : "", onchange: onChange });
      const time = h("input", { type: "time", class: "input", value: p ? hhmm(p) : "", onchange: onChange });
      node = h("div", { class: "datetime" }, date, time, h("span", { class: "tz" }, tz));
      // Slack's client will not send half a date and time: it asks for the other half.
      node.lkIncomplete = () =>
        date.value && !time.value ? "Pick a time too." : time.value && !date.value ? "Pick a date too." : "";
      node.lkValue = () => {
        if (!date.value || !time.value) return { selected_date_time: null };
        const [y, m, d] = date.value.split("-").map(Number), [hh, mm] = time.value.split(":").map(Number);
        return { selected_date_time: epochIn(y, m, d, hh, mm, tz) };
      };
      return node;
    }
    case "number_input": {
      const step = el.is_decimal_allowed ? "any" : "1";
      node = h("input", { type: "number", class: "input", step, min: el.min_value, max: el.max_value, value: el.initial_value ?? "", placeholder: ph });
      node.lkValue = () => ({ value: node.value === "" ? null : node.value });
      return node;
    }
    case "plain_text_input": case "email_text_input": case "url_text_input": {
      const type = { email_text_input: "email", url_text_input: "url" }[el.type] || "text";
      node = el.multiline
        ? h("textarea", { class: "input", rows: 4, placeholder: ph, maxlength: el.max_length, minlength: el.min_length })
        : h("input", { type, class: "input", placeholder: ph, maxlength: el.max_length, minlength: el.min_length });
      node.value = el.initial_value ?? "";
      node.lkValue = () => ({ value: node.value === "" ? null : node.value });
      return node;
    }
    case "image":
      return imageEl(el, "accessory-image");
    default:
      node = h("span", { class: "unsupported" }, `[${el.type}]`);
      node.lkValue = () => ({});
      return node;
  }
  node.addEventListener("change", onChange);
  return node;
}

function imageEl(el, cls) {
  const src = safeUrl(el.image_url);
  const img = src ? h("img", { class: cls, src, alt: el.alt_text || "", title: el.alt_text || "", loading: "lazy" }) : h("span", { class: cls }, el.alt_text || "image");
  img.lkValue = () => ({});
  return img;
}

// ---- rich_text (basic) --------------------------------------------------------------------

function richInline(e, ctx) {
  switch (e.type) {
    case "text": {
      let node = document.createTextNode(e.text);
      const st = e.style || {};
      for (const [k, tag] of [["code", "code"], ["strike", "s"], ["italic", "i"], ["bold", "b"]]) if (st[k]) node = h(tag, {}, node);
      return node;
    }
    case "link": return safeUrl(e.url) ? h("a", { href: safeUrl(e.url), target: "_blank", rel: "noopener" }, e.text || e.url) : e.text || e.url;
    case "user": return h("span", { class: "mention", html: mrkdwn(`<@${escapeHtml(e.user_id)}>`, ctx) });
    case "channel": return h("span", { html: mrkdwn(`<#${escapeHtml(e.channel_id)}>`, ctx) });
    case "emoji": return h("span", { html: plainHtml(`:${e.name}:`) });
    case "broadcast": return h("span", { class: "mention broadcast" }, `@${e.range}`);
    default: return e.text || "";
  }
}
function richText(block, ctx) {
  const part = (p) => {
    const inl = (p.elements || []).map((e) => richInline(e, ctx));
    if (p.type === "rich_text_list") {
      return h(p.style === "ordered" ? "ol" : "ul", {}, (p.elements || []).map((s) => h("li", {}, (s.elements || []).map((e) => richInline(e, ctx)))));
    }
    if (p.type === "rich_text_quote") return h("blockquote", {}, inl);
    if (p.type === "rich_text_preformatted") return h("pre", {}, inl);
    return h("div", {}, inl);
  };
  return h("div", { class: "rich-text" }, (block.elements || []).map(part));
}

// ---- blocks -------------------------------------------------------------------------------

/**
 * Render a list of blocks. ctx: {people, bot, channels, tz, now, onAction(blockId, action, node)}
 * where action is {type, action_id, ...selection}.
 */
export function renderBlocks(blocks, ctx) {
  return h("div", { class: "blocks" }, (blocks || []).map((b) => block(b, ctx)));
}

function block(b, ctx) {
  const fireFor = (el) => (extra, node) => ctx.onAction?.(b.block_id, { type: el.type, action_id: el.action_id, ...(extra || node?.lkValue?.() || {}) }, node, el);
  const active = (el) => {
    const fire = fireFor(el);
    const node = element(el, ctx, { fire: (extra, n) => fire(extra ?? node.lkValue(), n ?? node), dispatch: true });
    return node;
  };
  const attrs = { class: `block block-${b.type}`, "data-block-id": b.block_id };
  switch (b.type) {
    case "header": return h("div", attrs, h("h3", { html: plainHtml(b.text?.text) }));
    case "divider": return h("hr", attrs);
    case "section": {
      const body = h("div", { class: "section-body" }, textEl(b.text, ctx, "div", "section-text"),
        b.fields?.length ? h("div", { class: "fields" }, b.fields.map((f) => textEl(f, ctx, "div", "field"))) : null);
      return h("div", attrs, body, b.accessory ? h("div", { class: "accessory" }, active(b.accessory)) : null);
    }
    case "context":
      return h("div", attrs, (b.elements || []).map((e) => (e.type === "image" ? imageEl(e, "context-image") : textEl(e, ctx, "span", "context-text"))));
    case "actions": return h("div", attrs, (b.elements || []).map(active));
    case "image": {
      const src = safeUrl(b.image_url);
      return h("figure", attrs, b.title ? h("figcaption", { html: plainHtml(b.title.text) }) : null,
        src ? h("img", { src, alt: b.alt_text || "", loading: "lazy" }) : h("span", {}, b.alt_text));
    }
    case "input": return inputBlock(b, ctx, fireFor(b.element));
    case "rich_text": return h("div", attrs, richText(b, ctx));
    default: return h("div", attrs, h("span", { class: "unsupported" }, `[${b.type} block]`));
  }
}

function inputBlock(b, ctx, fire) {
  const node = element(b.element, ctx, { fire: (extra) => fire(extra ?? node.lkValue(), node), dispatch: !!b.dispatch_action });
  const label = h("label", { class: "input-label" }, h("span", { html: plainHtml(b.label?.text) }),
    b.optional ? h("span", { class: "optional" }, " (optional)") : null);
  const wrap = h("div", { class: "block block-input", "data-block-id": b.block_id, "data-action-id": b.element?.action_id },
    label, node, b.hint ? textEl(b.hint, ctx, "div", "hint") : null, h("div", { class: "field-error", hidden: true }));
  wrap.lkState = () => ({ [b.element.action_id]: { type: b.element.type, ...node.lkValue() } });
  return wrap;
}

/** Slack's view.state.values for every input block under `root`. */
export function collectValues(root) {
  const values = {};
  for (const el of root.querySelectorAll(".block-input")) values[el.dataset.blockId] = el.lkState();
  return values;
}

/** Show {block_id: message} under their input blocks; clear the rest. */
export function showErrors(root, errors = {}) {
  for (const el of root.querySelectorAll(".block-input")) {
    const msg = errors[el.dataset.blockId];
    const box = el.querySelector(":scope > .field-error");
    box.hidden = !msg;
    box.textContent = msg || "";
    el.classList.toggle("has-error", !!msg);
  }
}
