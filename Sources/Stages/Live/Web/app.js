// The live map page: picks the event (from /events/<id> in the URL, or the picker), keeps a RaceModel up to date
// from the live socket, and draws it once per animation frame: messages only change the model, never the DOM.
// The replay (replay.js, its bar replay-bar.js) plays the event's stored positions into a model of its own,
// which the view draws instead while it is active; the live model keeps up meanwhile.

import { LiveConnection } from "./connection.js";
import { RaceModel } from "./model.js";
import { ReplayBar } from "./replay-bar.js";
import { Replay } from "./replay.js";
import { MapView } from "./view.js";

const model = new RaceModel();
const view = new MapView(document, model);
// This instance's settings for the page (pipelines.live-broadcast.map_tiles): tiles under the map, if any.
fetch("/map/settings.json")
  .then((response) => (response.ok ? response.json() : null))
  .then((settings) => {
    if (settings && settings.tiles) view.setTiles(settings.tiles);
  })
  .catch(() => {}); // without settings, the map is drawn without tiles
const replay = new Replay(model);
const replayBar = new ReplayBar(document, replay, (active) => view.setModel(active ? replay.model : model));
const picker = document.getElementById("event-picker");
const stateBox = document.getElementById("connection");
const notice = document.getElementById("notice");
const clockBox = document.getElementById("clock");
let connectionState = "connecting";
let lastPositionTs = 0;

const STATE_TEXT = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting",
  signin: "not signed in",
  unavailable: "CMS unavailable",
  forbidden: "forbidden",
};

function eventFromPath() {
  const match = location.pathname.match(/^\/events\/([^/]+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

function showNotice(text) {
  notice.hidden = !text;
  notice.textContent = text || "";
}

const connection = new LiveConnection({
  onState(state, detail, delay) {
    connectionState = state;
    let text = STATE_TEXT[state] || state;
    if (delay) text += ` · retry in ${Math.round(delay / 1000)} s`;
    stateBox.textContent = text;
    stateBox.className = `state ${state}`;
    if (state === "signin") showNotice("Sign in to the CMS to watch the race, then this page reconnects by itself.");
    else if (state === "unavailable") showNotice("The CMS is unavailable; trying again.");
    else if (state === "forbidden") showNotice("You may not watch this event: pick another one.");
    else if (state === "live") showNotice(connection.eventID ? "" : "Pick an event to watch.");
  },
  onEvents(events) {
    const chosen = eventFromPath();
    picker.replaceChildren();
    const none = new Option(events.length ? "— pick an event —" : "no event you may watch", "");
    picker.appendChild(none);
    for (const event of events) picker.appendChild(new Option(event.name || event.id, event.id));
    if (chosen && !events.some((event) => event.id === chosen)) picker.appendChild(new Option(chosen, chosen));
    picker.disabled = events.length === 0 && !chosen;
    if (!chosen && events.length === 1) {
      history.replaceState(null, "", `/events/${encodeURIComponent(events[0].id)}`);
    }
    picker.value = eventFromPath() || "";
    connection.eventID = eventFromPath();
  },
  onMessage(message) {
    model.messages++;
    const now = Date.now();
    switch (message.type) {
      case "subscribed":
        model.applySubscribed(message, now);
        // The event's newest position so far (this event's: the one before may have been another).
        lastPositionTs = Math.max(0, ...(message.snapshot || []).map((position) => Date.parse(position.ts)));
        replay.prepare(connection.eventID);
        break;
      case "position":
        model.applyPosition(message.position, now);
        lastPositionTs = Math.max(lastPositionTs, Date.parse(message.position.ts));
        break;
      case "crossing":
        model.applyCrossing(message.crossing);
        break;
      case "crossing-removed":
        model.removeCrossing(message.entry_id, message.checkpoint_id);
        break;
    }
  },
});

picker.addEventListener("change", () => {
  const id = picker.value;
  if (!id) return;
  history.pushState(null, "", `/events/${encodeURIComponent(id)}`);
  replayBar.goLive();
  model.reset();
  connection.start(id);
});
window.addEventListener("popstate", () => {
  replayBar.goLive();
  model.reset();
  picker.value = eventFromPath() || "";
  connection.start(eventFromPath());
});
document.querySelector("#standings tbody").addEventListener("click", (event) => {
  const row = event.target.closest("tr[data-entry]");
  if (row) view.follow(row.dataset.entry);
});

// The benchmark's measurement (scripts/benchmark-live.sh --browser), only when asked for: see measure.js.
if (new URLSearchParams(location.search).get("measure") === "1") {
  import("./measure.js").then(({ measure }) => measure({ model, view }));
}

/**
 * The map is drawn at most every FRAME_MS (about 30 times a second), at an animation frame: however many
 * positions came meanwhile, one pass draws them. A drawn frame costs the browser style, layout, paint and
 * layerisation of the layers that changed, whatever it carries, so fewer frames carrying more is what keeps the
 * page's main thread free; a position waits at most FRAME_MS more for its frame. The browser is not even asked
 * for the animation frames in between (each one asked for is a lifecycle update of the page, changed or not):
 * the next one is asked for a few ms before it is due (a display's next frame, or at once in a headless browser).
 */
const FRAME_MS = 1000 / 30;

function frame() {
  const now = Date.now();
  replay.tick(now, lastPositionTs);
  // In a replay, a marker is grey when no fix came for 30 s of the replay's device time.
  view.render(replay.active ? (replay.head ?? now) : now);
  replayBar.render(lastPositionTs);
  const shown = replay.active ? replay.head : lastPositionTs;
  const clock = shown ? new Date(shown).toISOString().slice(11, 19) + " UTC" : "";
  if (clock !== clockBox.textContent) clockBox.textContent = clock;
  setTimeout(() => requestAnimationFrame(frame), FRAME_MS - 4);
}
requestAnimationFrame(frame);
connection.start(eventFromPath());

/** What the browser test reads (through the DevTools protocol's Runtime.evaluate). */
window.flowrunMap = {
  state() {
    // `transform`: where the marker is drawn (its arrow's outline in map pixels; it changes when it moves).
    const markers = view.markers();
    const standings = [...document.querySelectorAll("#standings tbody tr")].map((row) =>
      [...row.children].map((cell) => cell.textContent)
    );
    return {
      connection: connectionState,
      notice: notice.hidden ? "" : notice.textContent,
      event: connection.eventID,
      events: [...picker.options].map((option) => option.value).filter(Boolean),
      devices: model.devices.size,
      gates: document.querySelectorAll("#course .gate").length,
      // Each tile drawn: its URL and where (map pixels); the first gate's first end, where and at what place.
      tiles: [...document.querySelectorAll("#tiles image")].map((image) => ({
        url: image.getAttribute("href"),
        x: Number(image.getAttribute("x")),
        y: Number(image.getAttribute("y")),
        size: Number(image.getAttribute("width")),
      })),
      attribution: document.getElementById("attribution").hidden ? "" : document.getElementById("attribution").textContent,
      firstGate: firstGate(),
      scale: document.querySelector("#scale text") ? document.querySelector("#scale text").textContent : "",
      markers,
      standings,
      frames: view.frames,
      messages: model.messages,
      replay: {
        active: replay.active,
        playing: replay.playing,
        speed: replay.speed,
        head: replay.head,
        first: replay.first,
        last: replay.last,
        ended: replay.ended,
        complete: replay.complete,
        loading: replay.loading,
        liveNewest: replay.liveNewest,
        error: replay.error,
        text: document.getElementById("replay-time").textContent,
      },
    };
  },
  follow(entryID) {
    view.follow(entryID);
  },
};

/** The course's first gate's first end: its latitude and longitude, and where the map draws it (for the test). */
function firstGate() {
  const line = document.querySelector("#course .gate");
  const gate = model.course[0];
  if (!line || !gate) return null;
  return { lat: gate.lat1, lon: gate.lon1, x: Number(line.getAttribute("x1")), y: Number(line.getAttribute("y1")) };
}
