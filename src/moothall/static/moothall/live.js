// The live page of a meeting, kept up to date from its event stream (server-sent
// events). Without this script the page shows the state at load and a refresh link.
//
// Every entry is made from a <template> in the page and filled with textContent;
// the only HTML set is a blog post's `html`, which the server has rendered from
// Markdown and sanitised (nh3) before it was sent.

const root = document.querySelector("[data-live-root]");

const isSafeUrl = (value) =>
  typeof value === "string" && (/^https?:\/\//i.test(value) || /^\/(?!\/)/.test(value));

function formatTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) {
    return "";
  }
  const options = { hour: "2-digit", minute: "2-digit", hour12: false };
  if (root.dataset.timeZone) {
    options.timeZone = root.dataset.timeZone;
  }
  try {
    return when.toLocaleTimeString(document.documentElement.lang || "en-GB", options);
  } catch {
    return when.toLocaleTimeString();
  }
}

function field(entry, name) {
  return entry.querySelector(`[data-field="${name}"]`);
}

function setText(entry, name, value) {
  const element = field(entry, name);
  if (element) {
    element.textContent = value == null ? "" : String(value);
  }
}

function setTime(entry, iso) {
  const element = field(entry, "at");
  if (element && iso) {
    element.setAttribute("datetime", iso);
    element.textContent = formatTime(iso);
  }
}

// The Report link of a comment or upload made from a template points at id 0, and its
// hidden label is a translated pattern with "{name}" in it: fill in both.
function setReport(entry, id, name) {
  const link = field(entry, "report");
  if (!link) return;
  link.href = link.getAttribute("href").replace(/\/0\/$/, `/${encodeURIComponent(String(id))}/`);
  const label = field(entry, "report-label");
  if (label) {
    const pattern = label.getAttribute("data-pattern") || "";
    label.textContent = ` ${pattern.replace("{name}", name == null ? "" : String(name))}`;
  }
}

function dropPart(entry, name) {
  const part = entry.querySelector(`[data-part="${name}"]`);
  if (part) {
    part.remove();
  }
}

function fromTemplate(id) {
  const template = document.getElementById(id);
  if (!template) {
    return null;
  }
  return template.content.firstElementChild.cloneNode(true);
}

function blogEntry(data) {
  const entry = fromTemplate("live-template-blog");
  if (!entry) return null;
  // Sanitised on the server (render_markdown): the one field set as HTML.
  field(entry, "html").innerHTML = typeof data.html === "string" ? data.html : "";
  if (isSafeUrl(data.link)) {
    const link = field(entry, "link");
    link.href = data.link;
    link.textContent = data.link;
  } else {
    dropPart(entry, "link");
  }
  if (isSafeUrl(data.photo_url)) {
    const photo = field(entry, "photo");
    photo.src = data.photo_url;
    photo.alt = data.photo_alt || "";
  } else {
    dropPart(entry, "photo");
  }
  setTime(entry, data.at);
  return entry;
}

function commentEntry(data) {
  const entry = fromTemplate("live-template-comment");
  if (!entry) return null;
  setText(entry, "name", data.name);
  // Plain text with its line breaks kept, as the server's linebreaksbr does.
  const text = field(entry, "text");
  text.textContent = "";
  String(data.text || "")
    .split(/\r\n|\r|\n/)
    .forEach((line, index) => {
      if (index > 0) text.appendChild(document.createElement("br"));
      text.appendChild(document.createTextNode(line));
    });
  setTime(entry, data.at);
  setReport(entry, data.id, data.name);
  return entry;
}

function mediaEntry(data) {
  const kind = ["photo", "audio", "video"].includes(data.kind) ? data.kind : null;
  if (!kind || !isSafeUrl(data.url)) return null;
  const entry = fromTemplate(`live-template-media-${kind}`);
  if (!entry) return null;
  const player = field(entry, "url");
  player.src = data.url;
  if (kind === "photo") {
    player.alt = data.caption || "";
  }
  const download = field(entry, "href");
  if (download) {
    download.href = data.url;
  }
  setText(entry, "caption", data.caption);
  setText(entry, "name", data.name);
  setTime(entry, data.at);
  setReport(entry, data.id, data.caption);
  return entry;
}

const BUILDERS = { blog: blogEntry, comment: commentEntry, media: mediaEntry };

function existing(kind, id) {
  return root.querySelector(`[data-live-kind="${kind}"][data-live-id="${CSS.escape(String(id))}"]`);
}

function addEntry(kind, data) {
  if (!data || data.id == null || existing(kind, data.id)) {
    return; // a repeat (reconnection, or already in the page at load)
  }
  const list = root.querySelector(`[data-live-list="${kind}"]`);
  const entry = BUILDERS[kind](data);
  if (!list || !entry) return;
  entry.setAttribute("data-live-id", String(data.id));
  list.prepend(entry); // newest first
  const empty = root.querySelector(`[data-live-empty="${kind}"]`);
  if (empty) empty.hidden = true;
}

function removeEntry(data) {
  if (!data || !BUILDERS[data.what]) return;
  const entry = existing(data.what, data.id);
  if (!entry) return;
  const list = entry.parentElement;
  entry.remove();
  const empty = root.querySelector(`[data-live-empty="${data.what}"]`);
  if (empty && list && list.children.length === 0) empty.hidden = false;
}

function showState(data) {
  if (!data || typeof data.status !== "string") return;
  const status = root.querySelector("[data-live-status]");
  const label = status.getAttribute(`data-label-${data.status}`);
  if (label) {
    status.textContent = label;
    status.className = status.getAttribute(`data-class-${data.status}`) || status.className;
    status.setAttribute("data-live-status", data.status);
  }
  const item = data.item || null;
  const hasTitle = Boolean(item && !data.private && typeof item.title === "string");
  root.querySelector('[data-live-item="public"]').hidden = !hasTitle;
  root.querySelector('[data-live-item="private"]').hidden = !item || hasTitle;
  root.querySelector('[data-live-item="none"]').hidden = Boolean(item);
  root.querySelector("[data-live-item-number]").textContent = hasTitle ? String(item.number) : "";
  root.querySelector("[data-live-item-title]").textContent = hasTitle ? item.title : "";
  root.querySelector("[data-live-private-number]").textContent =
    item && !hasTitle ? String(item.number) : "";
  root.querySelector("[data-live-private]").hidden = !data.private;

  const open = data.status === "live" && !data.private;
  const closedBy = data.private ? "private" : data.status;
  const forms = root.querySelector("[data-live-open]");
  if (open && !forms.firstElementChild) {
    // The page was loaded while the meeting took nothing: the forms wait in a template.
    const waiting = document.getElementById("live-template-forms");
    if (waiting) forms.appendChild(waiting.content.cloneNode(true));
  }
  forms.hidden = !open;
  root.querySelectorAll("[data-live-closed]").forEach((message) => {
    message.hidden = open || message.getAttribute("data-live-closed") !== closedBy;
  });
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

function follow() {
  const url = root.dataset.eventsUrl;
  if (!url || typeof EventSource === "undefined") {
    return; // the refresh link stays
  }
  const refresh = root.querySelector("[data-live-refresh]");
  const last = root.dataset.lastEventId || "0";
  // The stream starts after the last event the page was rendered with; on reconnection
  // the browser sends Last-Event-ID itself.
  const source = new EventSource(`${url}?last_event_id=${encodeURIComponent(last)}`);
  source.addEventListener("open", () => {
    if (refresh) refresh.hidden = true;
  });
  source.addEventListener("error", () => {
    // Reconnecting (or gone for good): the reader can still refresh by hand.
    if (refresh) refresh.hidden = false;
  });
  source.addEventListener("state", (event) => showState(parse(event)));
  for (const kind of Object.keys(BUILDERS)) {
    source.addEventListener(kind, (event) => addEntry(kind, parse(event)));
  }
  source.addEventListener("removed", (event) => removeEntry(parse(event)));
}

if (root) {
  follow();
}
