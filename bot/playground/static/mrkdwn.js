// Slack mrkdwn → safe HTML. Everything from the app is escaped first; markup is
// only ever added around escaped text, so message content can never inject HTML.

const EMOJI = {
  wave: "👋", white_check_mark: "✅", hourglass_flowing_sand: "⏳", hourglass: "⌛",
  information_source: "ℹ️", memo: "📝", memory: "📝", no_entry_sign: "🚫", no_entry: "⛔", leftwards_arrow_with_hook: "↩️",
  red_circle: "🔴", large_green_circle: "🟢", large_yellow_circle: "🟡", large_blue_circle: "🔵",
  rotating_light: "🚨", tada: "🎉", warning: "⚠️", zzz: "💤", calendar: "📆", date: "📅",
  arrow_right: "➡️", arrow_left: "⬅️", arrow_up: "⬆️", arrow_down: "⬇️", heavy_check_mark: "✔️",
  x: "❌", question: "❓", exclamation: "❗", bell: "🔔", lock: "🔒", eyes: "👀", star: "⭐",
  fire: "🔥", rocket: "🚀", bulb: "💡", clipboard: "📋", bar_chart: "📊", chart_with_upwards_trend: "📈",
  email: "📧", envelope: "✉️", mag: "🔍", pushpin: "📌", link: "🔗", thumbsup: "👍", "+1": "👍",
  thumbsdown: "👎", "-1": "👎", smile: "😄", slightly_smiling_face: "🙂", clap: "👏", pray: "🙏",
  raised_hands: "🙌", muscle: "💪", handshake: "🤝", briefcase: "💼", bust_in_silhouette: "👤",
  busts_in_silhouette: "👥", alarm_clock: "⏰", stopwatch: "⏱️", clock9: "🕘", clock3: "🕒", speech_balloon: "💬",
  heart: "❤️", sparkles: "✨", trophy: "🏆", page_facing_up: "📄", inbox_tray: "📥", outbox_tray: "📤",
  hammer_and_wrench: "🛠️", gear: "⚙️", checkered_flag: "🏁", construction: "🚧", sunny: "☀️",
  palm_tree: "🌴", ghost: "👻", unlock: "🔓", heavy_minus_sign: "➖", envelope_with_arrow: "📩",
  ok_hand: "👌", pencil2: "✏️", wastebasket: "🗑️",
};

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
// Slack escapes only these three; undo them before escaping for HTML.
const unslack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

export const emojify = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, n) => EMOJI[n] ?? m);

/** A plain_text object's text as safe HTML (emoji converted). */
export const plainHtml = (text) => escapeHtml(emojify(String(text ?? "")));

/** Text for places that cannot hold markup (<option>, title attributes). */
export function mrkdwnToPlain(text, ctx = {}) {
  const s = unslack(String(text ?? "").replace(/<([^<>\n]+)>/g, (_, t) => tokenText(t, ctx)));
  return emojify(emphasis(s, (inner) => inner));
}

// Bold, italic, strike: markers at word edges, as Slack reads them.
const edge = (ch) => new RegExp(
  `(^|[\\s(\\[\uE000\uE001"'“‘])\\${ch}(?=\\S)([^${ch}\\n]*?\\S)\\${ch}(?=$|[\\s).,:;!?\\]\uE000\uE001"'”’-])`, "gm");
const MARKS = [["*", edge("*"), "b"], ["_", edge("_"), "i"], ["~", edge("~"), "s"]];
function emphasis(s, wrap) {
  for (const [, re, tag] of MARKS) s = s.replace(re, (_, pre, inner) => pre + wrap(inner, tag));
  return s;
}

// ---- time in the viewer's zone ----------------------------------------------------

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const fmtCache = new Map();

/** Calendar parts of an epoch (seconds) in an IANA zone. */
export function partsIn(epoch, tz) {
  const key = tz || "UTC";
  let f = fmtCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: key, hourCycle: "h23", year: "numeric",
        month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    } catch { f = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", hourCycle: "h23",
      year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }); }
    fmtCache.set(key, f);
  }
  const p = {};
  for (const { type, value } of f.formatToParts(new Date(epoch * 1000))) {
    if (type !== "literal") p[type] = Number(value);
  }
  p.hour %= 24;
  p.weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
  return p;
}

/** Epoch seconds of a wall-clock time in an IANA zone (inverse of partsIn). */
export function epochIn(year, month, day, hour, minute, tz) {
  const wall = Date.UTC(year, month - 1, day, hour, minute) / 1000;
  let guess = wall;
  for (let i = 0; i < 2; i++) {  // twice, so a DST change between guess and answer settles
    const p = partsIn(guess, tz);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
    guess += wall - seen;
  }
  return guess;
}

const pad = (n) => String(n).padStart(2, "0");
const ordinal = (d) => d + ((d % 100 >= 11 && d % 100 <= 13) ? "th" : ["th", "st", "nd", "rd"][d % 10] || "th");
export const hhmm = (p) => `${pad(p.hour)}:${pad(p.minute)}`;
const dayIndex = (p) => Date.UTC(p.year, p.month - 1, p.day) / 86400000;

function ago(epoch, now) {
  const diff = epoch - now, s = Math.abs(diff);
  if (s < 45) return "just now";
  const units = [[31536000, "year"], [2592000, "month"], [86400, "day"], [3600, "hour"], [60, "minute"]];
  // 45 to 59 seconds reads as a minute, as Slack says it: no unit is that small.
  const [size, name] = units.find(([u]) => s >= u) ?? [60, "minute"];
  const n = Math.round(s / size);
  const words = `${n} ${name}${n === 1 ? "" : "s"}`;
  return diff < 0 ? `${words} ago` : `in ${words}`;
}

/** Fill a <!date> format string ({date_short_pretty} at {time} …). */
export function formatDate(epoch, format, ctx) {
  const tz = ctx.tz || "UTC", now = ctx.now ?? Date.now() / 1000;
  const p = partsIn(epoch, tz);
  const rel = dayIndex(p) - dayIndex(partsIn(now, tz));
  const word = { 0: "today", "-1": "yesterday", 1: "tomorrow" }[rel];
  const month = MONTHS[p.month - 1];
  const forms = {
    date_num: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    date: `${month} ${ordinal(p.day)}, ${p.year}`,
    date_short: `${month.slice(0, 3)} ${p.day}, ${p.year}`,
    date_long: `${DAYS[p.weekday]}, ${month} ${ordinal(p.day)}, ${p.year}`,
    time: hhmm(p),
    time_secs: `${hhmm(p)}:${pad(p.second)}`,
    ago: ago(epoch, now),
  };
  for (const k of ["date", "date_short", "date_long"]) forms[`${k}_pretty`] = word ?? forms[k];
  return format.replace(/\{(\w+)\}/g, (m, k) => forms[k] ?? m);
}

// ---- <…> tokens ---------------------------------------------------------------------

const SAFE_URL = /^(https?:|mailto:|\/(?!\/))/i;
export const safeUrl = (u) => (SAFE_URL.test(String(u ?? "").trim()) ? String(u).trim() : null);

const personName = (id, ctx) =>
  (ctx.bot && ctx.bot.id === id ? ctx.bot.name : ctx.people?.find((p) => p.id === id)?.name) || id;
const channelOf = (id, ctx) => ctx.channels?.find((c) => c.id === id);

function tokenText(t, ctx) {
  const [body, label] = splitLabel(t);
  if (body.startsWith("@")) return "@" + (label || personName(body.slice(1), ctx));
  if (body.startsWith("#")) return "#" + (label || channelOf(body.slice(1), ctx)?.name || body.slice(1));
  if (body.startsWith("!date^")) {
    const [, epoch, format] = body.split("^");
    return formatDate(Number(epoch), unslack(format || ""), ctx);
  }
  if (body.startsWith("!")) return "@" + (label || body.slice(1).split("^")[0]);
  return label || (safeUrl(body) ? body.replace(/^mailto:/, "") : `<${t}>`);
}

function splitLabel(t) {
  const bar = t.indexOf("|");
  return bar < 0 ? [t, ""] : [t.slice(0, bar), t.slice(bar + 1)];
}

/** One <…> token as HTML. */
function tokenHtml(t, ctx) {
  const [body, rawLabel] = splitLabel(t);
  const label = unslack(rawLabel);
  if (body.startsWith("@")) {
    const id = body.slice(1);
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(label || personName(id, ctx))}</span>`;
  }
  if (body.startsWith("#")) {
    const id = body.slice(1), ch = channelOf(id, ctx);
    const name = label || ch?.name || id;
    return `<a class="mention channel-link" href="#" data-channel-link="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
  }
  if (body.startsWith("!date^")) {
    const [, epoch, format, link] = body.split("^");
    const text = escapeHtml(formatDate(Number(epoch), unslack(format || ""), ctx));
    const href = link && safeUrl(unslack(link));
    const title = escapeHtml(new Date(Number(epoch) * 1000).toISOString());
    return href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener" title="${title}">${text}</a>`
      : `<time title="${title}">${text}</time>`;
  }
  if (body.startsWith("!")) {
    const name = label || body.slice(1).split("^")[0];
    return `<span class="mention broadcast">@${escapeHtml(name.replace(/^@/, ""))}</span>`;
  }
  const href = safeUrl(unslack(body));
  // Not a link Slack would make (e.g. a literal "<name>" the app forgot to escape): show it as typed.
  if (!href) return escapeHtml(`<${unslack(t)}>`);
  const text = escapeHtml(label || unslack(body).replace(/^mailto:/, ""));
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${text}</a>`;
}

// ---- the whole text --------------------------------------------------------------------

// Private-use characters mark stashed HTML; they survive escaping and formatting untouched.
const OPEN = "\uE000", CLOSE = "\uE001";

/** Slack mrkdwn (as Slack escapes it) → safe HTML. ctx: {people, bot, channels, tz, now}. */
export function mrkdwn(text, ctx = {}) {
  const stash = [];
  const put = (html) => `${OPEN}${stash.push(html) - 1}${CLOSE}`;
  let s = String(text ?? "").replace(/[\uE000\uE001]/g, "");

  // ```pre``` first: nothing inside is formatted, but tokens still read as their text.
  s = s.replace(/```\n?([\s\S]*?)```\n?/g, (_, code) =>
    put(`<pre>${escapeHtml(unslack(code.replace(/<([^<>\n]+)>/g, (m, t) => tokenText(t, ctx))))}</pre>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, t) => put(tokenHtml(t, ctx)));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => put(`<code>${escapeHtml(unslack(code))}</code>`));
  s = emojify(escapeHtml(unslack(s)));

  s = emphasis(s, (inner, tag) => `<${tag}>${inner}</${tag}>`);

  // Lines: consecutive "> " lines become one quote.
  const out = [];
  let quote = null;
  for (const line of s.split("\n")) {
    const q = line.match(/^&gt;\s?(.*)$/);
    if (q) { (quote ??= []).push(q[1]); continue; }
    if (quote) { out.push(`<blockquote>${quote.join("<br>")}</blockquote>`); quote = null; }
    out.push(line);
  }
  if (quote) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
  s = out.join("\n").replace(/\n?(<blockquote>)/g, "$1").replace(/(<\/blockquote>)\n?/g, "$1").replace(/\n/g, "<br>");

  // Stashes may nest (a token inside a code span), so restore until none are left.
  for (let i = 0; i < 3 && s.includes(OPEN); i++) {
    s = s.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_, n) => stash[Number(n)] ?? "");
  }
  return s;
}
