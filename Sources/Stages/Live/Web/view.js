// Draws the model into the page's map and standings table. Called once per animation frame; redraws only
// what changed since the last frame (the markers when one moved, the newest part of a trail, the table when a
// crossing came), or everything when the projection changed.
//
// The tiles, the course and the scale are SVG, drawn here. The markers, their labels and the trails are drawn
// on two canvases by a painter (painter.js), in a worker where the browser allows it: this side works out
// where they go, in map pixels (the labels laid out so that none overlaps another: declutter), and sends that. A thousand SVG markers moving at every frame cost the page's main
// thread more in paint and layerisation than everything else it did; a canvas drawn on this thread instead
// costs as much again in software rasterisation (a headless browser's), and one drawn in a worker costs this
// thread nothing but the message.

import { STALE_MS, TRAIL_MS, clock } from "./model.js";
import { ARROW, LABEL_FONT, LOOK, TRAIL_PIECES, connectPainter } from "./painter.js";

const SVG = "http://www.w3.org/2000/svg";
const EARTH_RADIUS_M = 6371008.8;
const PADDING_PX = 48;
/** The map's bottom, under the replay bar and the scale bar (drawn over it): the course and markers fit above. */
const BOTTOM_RESERVED_PX = 96;
/** When following an entry, the map spans this many metres across. */
const FOLLOW_SPAN_M = 700;
/**
 * Where a marker's label may go, tried in this order (after the spot it had): right, left, above, below the
 * marker. `x`, `y` are the text's anchor and baseline relative to the marker.
 */
const LABEL_SPOTS = [
  { x: 10, y: 4, anchor: "start" },
  { x: -10, y: 4, anchor: "end" },
  { x: 0, y: -12, anchor: "middle" },
  { x: 0, y: 20, anchor: "middle" },
];
/** How a label's text is anchored at its point, as the painter numbers them. */
const ANCHORS = ["start", "end", "middle"];
/** The gates' names' font (map.css `.gate-label`; bold for start and finish). */
const GATE_FONT = "12px system-ui, sans-serif";
/** Half the side of the square a marker's arrow fits in, whatever its heading. */
const MARKER_HALF = 8;
/** The labels' height above and below the baseline (in painter.js's LABEL_FONT, which their widths are measured in). */
const LABEL_ASCENT = 10;
const LABEL_DESCENT = 3;
/**
 * The trails are drawn whole (each part as faint as its age) this often, and at once when the projection
 * changes; in between, each frame adds only the newest part of the trails whose marker moved.
 */
const TRAILS_WHOLE_MS = 1000;
/** Labels are laid out again at most this often while markers move (and at once when the projection changes). */
const DECLUTTER_MS = 250;

export class MapView {
  constructor(document, model) {
    this.document = document;
    this.model = model;
    this.svg = document.getElementById("map");
    this.layers = {
      tiles: document.getElementById("tiles"),
      course: document.getElementById("course"),
      scale: document.getElementById("scale"),
    };
    this.tbody = document.querySelector("#standings tbody");
    this.followBox = document.getElementById("follow");
    this.drawn = new Map(); // device_id → {label, device, x, y, cos, sin, rev, stale, followed, trailEnd, spot, width}
    this.painter = connectPainter(
      document.getElementById("trail-canvas"),
      document.getElementById("marker-canvas"),
      (seq, at) => this.painted(seq, at)
    );
    this.paintSeq = 0; // the last markers message sent to the painter
    this.nextLabel = 0; // the index the next label's text gets in the painter
    this.newLabels = []; // [index, text] of the labels not sent to the painter yet
    this.markersDue = false; // a marker moved or changed its look since the markers were sent
    this.courseVersion = -1;
    this.standingsVersion = -1;
    this.projectionKey = "";
    this.bounds = null; // {minLat, maxLat, minLon, maxLon}, only grows until the course changes
    this.followed = null; // entry id
    this.lastStaleCheck = 0;
    this.lastDeclutter = 0;
    this.lastTrails = 0;
    this.trailsDue = new Set(); // drawn devices whose marker moved since their trail was sent to its end
    this.moved = false; // a marker moved since the labels were last laid out
    this.labelWidths = new Map(); // font and label text → px
    this.courseLabels = []; // the gates' names' boxes, in px
    this.frames = 0;
  }

  /** Draws `model` from the next frame on (the replay's or the live one), everything anew. */
  setModel(model) {
    if (model === this.model) return;
    this.model = model;
    this.courseVersion = -1;
    this.standingsVersion = -1;
  }

  follow(entryID) {
    this.followed = this.followed === entryID ? null : entryID;
    this.projectionKey = "";
    this.standingsVersion = -1;
  }

  /** One frame: brings the SVG and the table up to date with the model. */
  render(now) {
    this.frames++;
    const model = this.model;
    if (this.courseVersion !== model.courseVersion) {
      this.courseVersion = model.courseVersion;
      this.bounds = null;
      for (const drawn of this.drawn.values()) this.removeDevice(drawn);
      this.drawn.clear();
      this.projectionKey = "";
    }
    const grew = this.growBounds();
    const projection = this.projection();
    const key = projection ? projection.key : "";
    const projectionChanged = key !== this.projectionKey || grew;
    if (projectionChanged) {
      this.projectionKey = key;
      if (projection) {
        const ratio = window.devicePixelRatio || 1;
        this.painter.send({ kind: "size", width: projection.width, height: projection.height, ratio });
        this.drawTiles(projection);
        this.drawCourse(projection);
        this.drawScale(projection);
      }
    }
    if (projection) {
      this.drawDevices(projection, projectionChanged, now);
      // `now` is the replay's play head in a replay, which can go back.
      if (projectionChanged || Math.abs(now - this.lastTrails) >= TRAILS_WHOLE_MS) {
        this.lastTrails = now;
        this.drawTrails(projection);
      } else if (this.trailsDue.size > 0) {
        this.extendTrails(projection);
      }
      if (this.markersDue || projectionChanged) this.drawMarkers();
      if (projectionChanged || (this.moved && now - this.lastDeclutter >= DECLUTTER_MS)) {
        this.lastDeclutter = now;
        this.moved = false;
        this.declutter(projection);
      }
    }
    if (this.standingsVersion !== model.standingsVersion) {
      this.standingsVersion = model.standingsVersion;
      this.drawStandings();
    }
  }

  // MARK: projection

  /**
   * Makes the drawn area hold the course and every marker. It only grows while watching (the view does not
   * jump), and when a marker leaves it, it grows by a tenth of its span more on that side: a growth redraws
   * every marker and trail, so with many devices reaching new ground it must not happen at every fix.
   */
  growBounds() {
    let grew = false;
    const include = (lat, lon) => {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
      const b = this.bounds;
      if (!b) {
        this.bounds = { minLat: lat, maxLat: lat, minLon: lon, maxLon: lon, first: true };
        grew = true;
        return;
      }
      if (lat >= b.minLat && lat <= b.maxLat && lon >= b.minLon && lon <= b.maxLon) return;
      grew = true;
      // While the course and the first positions are read (the first frame), the area fits them exactly.
      const marginLat = b.first ? 0 : Math.max((b.maxLat - b.minLat) / 10, 0.0002);
      const marginLon = b.first ? 0 : Math.max((b.maxLon - b.minLon) / 10, 0.0003);
      if (lat < b.minLat) b.minLat = lat - marginLat;
      if (lat > b.maxLat) b.maxLat = lat + marginLat;
      if (lon < b.minLon) b.minLon = lon - marginLon;
      if (lon > b.maxLon) b.maxLon = lon + marginLon;
    };
    if (!this.bounds) {
      for (const gate of this.model.course) {
        include(gate.lat1, gate.lon1);
        include(gate.lat2, gate.lon2);
      }
      for (const device of this.model.devices.values()) include(device.lat, device.lon);
    } else {
      for (const device of this.model.moved) include(device.lat, device.lon);
    }
    if (this.bounds) this.bounds.first = false;
    return grew;
  }

  /**
   * Web Mercator (what tile servers draw; for a race site, the local ground to within a pixel), centred on the
   * bounds and scaled to fit the map, or centred on the followed entry's marker at a fixed span. `scale` is
   * pixels per metre on the ground (the scale bar's), `k` pixels per Mercator metre (`scale`·cos(lat)).
   */
  projection() {
    const b = this.bounds;
    const width = this.svg.clientWidth;
    const height = this.svg.clientHeight;
    if (!b || width === 0 || height === 0) return null;
    let mx0 = (mercatorX(b.minLon) + mercatorX(b.maxLon)) / 2;
    let my0 = (mercatorY(b.minLat) + mercatorY(b.maxLat)) / 2;
    const cos = Math.cos((inverseMercatorY(my0) * Math.PI) / 180);
    const spanX = Math.max((mercatorX(b.maxLon) - mercatorX(b.minLon)) * cos, 50);
    const spanY = Math.max((mercatorY(b.maxLat) - mercatorY(b.minLat)) * cos, 50);
    const fitHeight = Math.max(height - 2 * PADDING_PX - BOTTOM_RESERVED_PX, PADDING_PX);
    let scale = Math.min((width - 2 * PADDING_PX) / spanX, fitHeight / spanY);
    const followed = this.followedDevice();
    if (followed) {
      mx0 = mercatorX(followed.lon);
      my0 = mercatorY(followed.lat);
      scale = Math.max(scale, width / FOLLOW_SPAN_M);
    }
    const k = scale * cos;
    const cx = width / 2;
    const cy = Math.max(height - BOTTOM_RESERVED_PX, height / 2) / 2;
    return {
      key: followed ? `${followed.id}@${followed.ts}|${width}x${height}` : `${width}x${height}`,
      scale,
      k,
      width,
      height,
      cx,
      cy,
      mx0,
      my0,
      x: (lon) => cx + (mercatorX(lon) - mx0) * k,
      y: (lat) => cy - (mercatorY(lat) - my0) * k,
    };
  }

  // MARK: tiles

  /**
   * Draws the map under tiles from `settings.url` (`{z}`, `{x}`, `{y}` replaced), a site's tile server's, with
   * `settings.attribution` in a corner; none when not set (the page fetches nothing from elsewhere).
   */
  setTiles(settings) {
    this.tiles = settings;
    this.projectionKey = "";
    const box = this.document.getElementById("attribution");
    box.textContent = settings.attribution || "";
    box.hidden = !settings.attribution;
  }

  /**
   * Lays the tiles that cover the map at the zoom nearest the map's scale (at most `max_zoom`), each an SVG
   * image under the course; an image already there is kept (the browser loads each tile once).
   */
  drawTiles(p) {
    const layer = this.layers.tiles;
    if (!this.tiles) return;
    const world = 2 * Math.PI * EARTH_RADIUS_M;
    const maxZoom = Number.isInteger(this.tiles.max_zoom) ? this.tiles.max_zoom : 19;
    const zoom = Math.min(Math.max(Math.round(Math.log2((p.k * world) / 256)), 0), maxZoom);
    const count = 2 ** zoom;
    const tile = world / count; // a tile's side in Mercator metres
    const size = tile * p.k;
    const column = (mx) => Math.min(Math.max(Math.floor((mx + world / 2) / tile), 0), count - 1);
    const row = (my) => Math.min(Math.max(Math.floor((world / 2 - my) / tile), 0), count - 1);
    const wanted = new Map();
    for (let x = column(p.mx0 - p.cx / p.k); x <= column(p.mx0 + (p.width - p.cx) / p.k); x++) {
      for (let y = row(p.my0 + p.cy / p.k); y <= row(p.my0 - (p.height - p.cy) / p.k); y++) {
        const url = this.tiles.url.replaceAll("{z}", zoom).replaceAll("{x}", x).replaceAll("{y}", y);
        wanted.set(url, { x: p.cx + (x * tile - world / 2 - p.mx0) * p.k, y: p.cy - (world / 2 - y * tile - p.my0) * p.k });
      }
    }
    this.tileImages = this.tileImages || new Map();
    for (const [url, image] of this.tileImages) {
      if (wanted.has(url)) continue;
      image.remove();
      this.tileImages.delete(url);
    }
    for (const [url, at] of wanted) {
      let image = this.tileImages.get(url);
      if (!image) {
        image = this.element("image", { class: "tile", href: url, preserveAspectRatio: "none" });
        layer.appendChild(image);
        this.tileImages.set(url, image);
      }
      // Half a pixel more each way: no seam between neighbours.
      image.setAttribute("x", (at.x - 0.25).toFixed(2));
      image.setAttribute("y", (at.y - 0.25).toFixed(2));
      image.setAttribute("width", (size + 0.5).toFixed(2));
      image.setAttribute("height", (size + 0.5).toFixed(2));
    }
  }

  followedDevice() {
    if (!this.followed) return null;
    const entry = this.model.entries.find((e) => e.id === this.followed);
    if (!entry) return null;
    for (const id of entry.devices || []) {
      const device = this.model.devices.get(id);
      if (device) return device;
    }
    return null;
  }

  // MARK: course and scale

  drawCourse(p) {
    const layer = this.layers.course;
    layer.replaceChildren();
    this.courseLabels = [];
    const course = this.model.course;
    if (course.length === 0) return;
    // A lap course repeats a gate under later seqs: one line per place, named by every checkpoint there.
    const places = new Map();
    for (const gate of course) {
      const key = [gate.lat1, gate.lon1, gate.lat2, gate.lon2].map((v) => v.toFixed(7)).join(",");
      if (!places.has(key)) places.set(key, { gate, names: [], kinds: new Set() });
      const place = places.get(key);
      place.names.push(gate.name);
      place.kinds.add(gate.kind);
    }
    for (const { gate, names, kinds } of places.values()) {
      // A start gate that is also the finish (a lap course) is both: green under black dashes, "Start/Finish".
      const both = kinds.has("start") && kinds.has("finish");
      const kind = both ? "start-finish" : kinds.has("finish") ? "finish" : kinds.has("start") ? "start" : "split";
      const x1 = p.x(gate.lon1), y1 = p.y(gate.lat1), x2 = p.x(gate.lon2), y2 = p.y(gate.lat2);
      layer.appendChild(this.element("line", { class: `gate ${kind}`, x1, y1, x2, y2 }));
      if (both) layer.appendChild(this.element("line", { class: "gate-stripes", x1, y1, x2, y2 }));
      const text = both ? this.startFinishText(course, names) : names.join(" · ");
      // Named beside the gate, on the side with room: a gate in the map's right half has its name on its left.
      const right = Math.max(x1, x2) > p.width / 2;
      const label = this.element("text", {
        class: `gate-label ${kind}`,
        x: right ? Math.min(x1, x2) - 8 : Math.max(x1, x2) + 8,
        y: Math.min(y1, y2) - 6,
        "text-anchor": right ? "end" : "start",
      });
      label.textContent = text;
      layer.appendChild(label);
      // What the markers' labels must not cover (see declutter).
      const width = this.labelWidth(text, kind === "split" ? GATE_FONT : `700 ${GATE_FONT}`);
      const left = right ? Math.min(x1, x2) - 8 - width : Math.max(x1, x2) + 8;
      this.courseLabels.push({ left, right: left + width, top: Math.min(y1, y2) - 18, bottom: Math.min(y1, y2) - 3 });
    }
  }

  /** "Start/Finish", then the names of the other checkpoints at that gate (a lap course's laps). */
  startFinishText(course, names) {
    const ends = new Set(course.filter((gate) => gate.kind === "start" || gate.kind === "finish").map((gate) => gate.name));
    return ["Start/Finish", ...names.filter((name) => !ends.has(name))].join(" · ");
  }

  drawScale(p) {
    const layer = this.layers.scale;
    layer.replaceChildren();
    const target = 120 / p.scale; // metres in about 120 px
    const magnitude = Math.pow(10, Math.floor(Math.log10(target)));
    const metres = [1, 2, 5, 10].map((m) => m * magnitude).filter((m) => m <= target).pop() || magnitude;
    const length = metres * p.scale;
    const x = 20, y = p.height - 24;
    const group = this.element("g", { class: "scale" });
    group.appendChild(this.element("line", { x1: x, y1: y, x2: x + length, y2: y }));
    group.appendChild(this.element("line", { x1: x, y1: y - 5, x2: x, y2: y + 5 }));
    group.appendChild(this.element("line", { x1: x + length, y1: y - 5, x2: x + length, y2: y + 5 }));
    const text = this.element("text", { x, y: y - 8 });
    text.textContent = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
    group.appendChild(text);
    layer.appendChild(group);
  }

  // MARK: devices

  drawDevices(p, all, now) {
    // `now` is the replay's play head in a replay, which can go back.
    const checkStale = all || Math.abs(now - this.lastStaleCheck) > 500;
    if (checkStale) this.lastStaleCheck = now;
    const followed = this.followedDevice();
    // Every device now and then (staleness, following) or after the projection changed; else those that moved.
    const devices = all || checkStale ? this.model.devices.values() : this.model.moved;
    for (const device of devices) {
      let drawn = this.drawn.get(device.id);
      if (!drawn) {
        drawn = this.addDevice(device);
        this.drawn.set(device.id, drawn);
      }
      if (all || drawn.rev !== device.ts) {
        drawn.rev = device.ts;
        this.placeDevice(p, device, drawn);
        this.moved = true;
      }
      if (checkStale || all) {
        const stale = now - device.seenAt > STALE_MS;
        if (stale !== drawn.stale) {
          drawn.stale = stale;
          this.markersDue = true;
        }
        const isFollowed = device === followed;
        if (isFollowed !== drawn.followed) {
          drawn.followed = isFollowed;
          this.markersDue = true;
        }
      }
    }
    this.model.moved.clear();
  }

  addDevice(device) {
    const text = this.model.label(device.id);
    const index = this.nextLabel++;
    this.newLabels.push([index, text]);
    const width = this.labelWidth(text);
    return {
      text, index, device, x: NaN, y: NaN, cos: 1, sin: 0, rev: null, stale: null, followed: null, trailEnd: null, spot: 0,
      width,
    };
  }

  removeDevice(drawn) {
    this.trailsDue.delete(drawn);
    this.markersDue = true;
  }

  /** Moves a device's marker (and its label if shown); its trail follows in the same frame (extendTrails). */
  placeDevice(p, device, drawn) {
    drawn.x = p.x(device.lon);
    drawn.y = p.y(device.lat);
    drawn.device = device;
    // The arrow turned to the heading, clockwise from north as the map is drawn.
    const angle = (this.heading(device) * Math.PI) / 180;
    drawn.cos = Math.cos(angle);
    drawn.sin = Math.sin(angle);
    this.trailsDue.add(drawn);
    this.markersDue = true;
  }

  /**
   * Sends every marker to the painter (place, heading and look, five numbers each) and every shown label (its
   * text's index, where its text is anchored, how, and its look), after the texts of labels new since the
   * last time.
   */
  drawMarkers() {
    this.markersDue = false;
    if (this.newLabels.length > 0) {
      this.painter.send({ kind: "texts", texts: this.newLabels });
      this.newLabels = [];
    }
    const data = new Float32Array(this.drawn.size * 5);
    const labels = new Float32Array(this.drawn.size * 5);
    let i = 0, j = 0;
    for (const drawn of this.drawn.values()) {
      if (!Number.isFinite(drawn.x)) continue;
      const look = drawn.followed ? LOOK.followed : drawn.stale ? LOOK.stale : LOOK.normal;
      data[i++] = drawn.x;
      data[i++] = drawn.y;
      data[i++] = drawn.cos;
      data[i++] = drawn.sin;
      data[i++] = look;
      if (drawn.spot < 0) continue;
      const spot = LABEL_SPOTS[drawn.spot];
      labels[j++] = drawn.index;
      labels[j++] = drawn.x + spot.x;
      labels[j++] = drawn.y + spot.y;
      labels[j++] = ANCHORS.indexOf(spot.anchor);
      labels[j++] = look;
    }
    this.paintSeq++;
    this.painter.send(
      { kind: "markers", seq: this.paintSeq, data: data.subarray(0, i), labels: labels.subarray(0, j) },
      [data.buffer, labels.buffer]
    );
  }

  /** Called once the painter has drawn the markers of `seq`, at `at` (the benchmark's measure.js listens here). */
  painted(seq, at) {}

  /** Sends every trail to the painter, whole: each part in the piece of its age (TRAIL_PIECES, oldest first). */
  drawTrails(p) {
    let size = 0;
    for (const drawn of this.drawn.values()) if (drawn.device.trail.length > 1) size += 3 * drawn.device.trail.length;
    const data = new Float32Array(size);
    let i = 0;
    for (const drawn of this.drawn.values()) {
      const device = drawn.device;
      const trail = device.trail;
      drawn.trailEnd = trail.length > 0 ? trail[trail.length - 1] : null;
      if (trail.length < 2) continue;
      data[i++] = trail.length;
      data[i++] = p.x(trail[0].lon);
      data[i++] = p.y(trail[0].lat);
      for (let point = 1; point < trail.length; point++) {
        // A part of the trail is as old as its newer end.
        data[i++] = trailPiece(device.ts - trail[point].t);
        data[i++] = p.x(trail[point].lon);
        data[i++] = p.y(trail[point].lat);
      }
    }
    this.trailsDue.clear();
    this.painter.send({ kind: "trails", data }, [data.buffer]);
  }

  /** Sends the parts the moved markers' trails gained since they were sent. */
  extendTrails(p) {
    const parts = [];
    let size = 0;
    for (const drawn of this.trailsDue) {
      const trail = drawn.device.trail;
      let from = drawn.trailEnd ? trail.lastIndexOf(drawn.trailEnd) : -1;
      if (from < 0) from = Math.max(trail.length - 2, 0);
      drawn.trailEnd = trail.length > 0 ? trail[trail.length - 1] : null;
      if (from + 1 >= trail.length) continue;
      parts.push(trail, from);
      size += 1 + 2 * (trail.length - from);
    }
    this.trailsDue.clear();
    if (size === 0) return;
    const data = new Float32Array(size);
    let i = 0;
    for (let part = 0; part < parts.length; part += 2) {
      const trail = parts[part], from = parts[part + 1];
      data[i++] = trail.length - from;
      for (let point = from; point < trail.length; point++) {
        data[i++] = p.x(trail[point].lon);
        data[i++] = p.y(trail[point].lat);
      }
    }
    this.painter.send({ kind: "extend", data }, [data.buffer]);
  }

  /** Each drawn marker: its device, label, outline (in map pixels: it changes when the marker moves) and greyness. */
  markers() {
    const markers = [];
    for (const [device, drawn] of this.drawn) {
      if (!Number.isFinite(drawn.x)) continue;
      const points = [];
      for (let i = 0; i < ARROW.length; i += 2) {
        const x = drawn.x + ARROW[i] * drawn.cos - ARROW[i + 1] * drawn.sin;
        const y = drawn.y + ARROW[i] * drawn.sin + ARROW[i + 1] * drawn.cos;
        points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      }
      markers.push({ device, label: drawn.text, transform: `M${points.join("L")}Z`, stale: drawn.stale === true });
    }
    return markers;
  }

  // MARK: labels

  /**
   * Lays the markers' labels out so that none overlaps another, a marker or a gate's name: each, in turn, takes
   * the first of its spots (the one it had, then right, left, above, below) that overlaps none of those, or is
   * hidden.
   * The followed entry's label goes first, then those shown last time (so labels do not flicker between
   * passes), then the others in the order their markers appeared. A grid of cells finds the labels near a spot,
   * so a pass is linear in the markers; it writes to the DOM only for a label whose spot changed.
   */
  declutter(p) {
    const CELL = 64;
    const grid = new Map(); // cell → [left, right, top, bottom, …] of the labels placed over it
    // A label covers no gate's name and no marker's arrow (its own included: its spots are clear of it).
    for (const box of this.courseLabels) placeLabel(grid, CELL, box.left, box.right, box.top, box.bottom);
    for (const drawn of this.drawn.values()) {
      if (drawn.x >= 0 && drawn.x <= p.width && drawn.y >= 0 && drawn.y <= p.height) {
        placeLabel(grid, CELL, drawn.x - MARKER_HALF, drawn.x + MARKER_HALF, drawn.y - MARKER_HALF, drawn.y + MARKER_HALF);
      }
    }
    const first = [], shown = [], hidden = [];
    for (const drawn of this.drawn.values()) (drawn.followed ? first : drawn.spot >= 0 ? shown : hidden).push(drawn);
    for (const list of [first, shown, hidden]) {
      for (const drawn of list) {
        let chosen = -1;
        if (drawn.x >= 0 && drawn.x <= p.width && drawn.y >= 0 && drawn.y <= p.height) {
          for (let attempt = -1; attempt < LABEL_SPOTS.length && chosen < 0; attempt++) {
            const index = attempt < 0 ? drawn.spot : attempt;
            if (index < 0 || (attempt >= 0 && index === drawn.spot)) continue;
            const spot = LABEL_SPOTS[index];
            const left = drawn.x + spot.x - (spot.anchor === "end" ? drawn.width : spot.anchor === "middle" ? drawn.width / 2 : 0);
            const right = left + drawn.width, top = drawn.y + spot.y - LABEL_ASCENT, bottom = drawn.y + spot.y + LABEL_DESCENT;
            if (labelFits(grid, CELL, left, right, top, bottom)) {
              placeLabel(grid, CELL, left, right, top, bottom);
              chosen = index;
            }
          }
        }
        if (chosen === drawn.spot) continue;
        drawn.spot = chosen;
        this.markersDue = true;
      }
    }
  }

  /** A label's width in px (with its halo), measured once per font and text on a canvas: no layout of the page. */
  labelWidth(text, font = LABEL_FONT) {
    const key = `${font}|${text}`;
    let width = this.labelWidths.get(key);
    if (width === undefined) {
      if (!this.measureContext) this.measureContext = this.document.createElement("canvas").getContext("2d");
      this.measureContext.font = font;
      width = this.measureContext.measureText(text).width + 4;
      this.labelWidths.set(key, width);
    }
    return width;
  }

  /** Degrees clockwise from north: the tracker's `angle`, else the direction of its last move. */
  heading(device) {
    if (Number.isFinite(device.angle)) return device.angle;
    const trail = device.trail;
    if (trail.length < 2) return 0;
    const a = trail[trail.length - 2], b = trail[trail.length - 1];
    const dx = (b.lon - a.lon) * Math.cos((b.lat * Math.PI) / 180);
    return (Math.atan2(dx, b.lat - a.lat) * 180) / Math.PI;
  }

  // MARK: standings

  drawStandings() {
    const rows = this.model.standings();
    const total = this.model.course.length;
    const fragment = this.document.createDocumentFragment();
    for (const row of rows) {
      const tr = this.document.createElement("tr");
      tr.dataset.entry = row.entry.id;
      if (row.entry.id === this.followed) tr.className = "followed";
      const cells = [
        row.place === undefined ? "-" : String(row.place),
        row.entry.name || row.entry.id,
        `${row.counted}/${total}`,
        row.last ? row.last.name : "-",
        row.elapsed === undefined ? "-" : clock(row.elapsed),
        row.gap === undefined ? "-" : row.gap,
      ];
      cells.forEach((text, index) => {
        const td = this.document.createElement("td");
        if (index === 1) td.className = "name";
        td.textContent = text;
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    }
    this.tbody.replaceChildren(fragment);
    const entry = this.model.entries.find((e) => e.id === this.followed);
    this.followBox.hidden = !entry;
    if (entry) this.followBox.textContent = `following ${entry.name || entry.id}`;
  }

  element(name, attributes) {
    const element = this.document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    return element;
  }
}

/** Web Mercator in metres at the equator: x from the longitude, y from the latitude, and back. */
function mercatorX(lon) {
  return (EARTH_RADIUS_M * lon * Math.PI) / 180;
}

function mercatorY(lat) {
  return EARTH_RADIUS_M * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
}

function inverseMercatorY(y) {
  return ((2 * Math.atan(Math.exp(y / EARTH_RADIUS_M)) - Math.PI / 2) * 180) / Math.PI;
}

/** Which of TRAIL_PIECES a part of a trail this old (ms of device time) is drawn in: the newest is the last. */
function trailPiece(age) {
  const pieces = TRAIL_PIECES.length;
  return Math.min(pieces - 1, Math.max(0, pieces - 1 - Math.floor((age / TRAIL_MS) * pieces)));
}

/** Whether a label box overlaps none of those placed in the grid's cells under it. */
function labelFits(grid, cell, left, right, top, bottom) {
  for (let cx = Math.floor(left / cell); cx <= Math.floor(right / cell); cx++) {
    for (let cy = Math.floor(top / cell); cy <= Math.floor(bottom / cell); cy++) {
      const boxes = grid.get(cx * 65536 + cy);
      if (!boxes) continue;
      for (let i = 0; i < boxes.length; i += 4) {
        if (right > boxes[i] && left < boxes[i + 1] && bottom > boxes[i + 2] && top < boxes[i + 3]) return false;
      }
    }
  }
  return true;
}

/** Adds a label box to every cell of the grid under it. */
function placeLabel(grid, cell, left, right, top, bottom) {
  for (let cx = Math.floor(left / cell); cx <= Math.floor(right / cell); cx++) {
    for (let cy = Math.floor(top / cell); cy <= Math.floor(bottom / cell); cy++) {
      const key = cx * 65536 + cy;
      const boxes = grid.get(key);
      if (boxes) boxes.push(left, right, top, bottom);
      else grid.set(key, [left, right, top, bottom]);
    }
  }
}
