// Draws the model into the page's SVG map and standings table. Called once per animation frame; redraws only
// what changed since the last frame (a device's marker and trail when it moved, the table when a crossing
// came), or everything when the projection changed.

import { STALE_MS, TRAIL_MS, clock } from "./model.js";

const SVG = "http://www.w3.org/2000/svg";
const EARTH_RADIUS_M = 6371008.8;
const PADDING_PX = 48;
/** The trail is drawn in this many pieces, older ones fainter. */
const TRAIL_PIECES = [0.12, 0.25, 0.45, 0.8];
/** When following an entry, the map spans this many metres across. */
const FOLLOW_SPAN_M = 700;

export class MapView {
  constructor(document, model) {
    this.document = document;
    this.model = model;
    this.svg = document.getElementById("map");
    this.layers = {
      course: document.getElementById("course"),
      trails: document.getElementById("trails"),
      markers: document.getElementById("markers"),
      scale: document.getElementById("scale"),
    };
    this.tbody = document.querySelector("#standings tbody");
    this.followBox = document.getElementById("follow");
    this.drawn = new Map(); // device_id → {marker, body, label, trails: [path], rev, stale}
    this.courseVersion = -1;
    this.standingsVersion = -1;
    this.projectionKey = "";
    this.bounds = null; // {minLat, maxLat, minLon, maxLon}, only grows until the course changes
    this.followed = null; // entry id
    this.lastStaleCheck = 0;
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
        this.drawCourse(projection);
        this.drawScale(projection);
      }
    }
    if (projection) this.drawDevices(projection, projectionChanged, now);
    if (this.standingsVersion !== model.standingsVersion) {
      this.standingsVersion = model.standingsVersion;
      this.drawStandings();
    }
  }

  // MARK: projection

  growBounds() {
    let grew = false;
    const include = (lat, lon) => {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
      const b = this.bounds;
      if (!b) {
        this.bounds = { minLat: lat, maxLat: lat, minLon: lon, maxLon: lon };
        grew = true;
        return;
      }
      if (lat < b.minLat) { b.minLat = lat; grew = true; }
      if (lat > b.maxLat) { b.maxLat = lat; grew = true; }
      if (lon < b.minLon) { b.minLon = lon; grew = true; }
      if (lon > b.maxLon) { b.maxLon = lon; grew = true; }
    };
    for (const gate of this.model.course) {
      include(gate.lat1, gate.lon1);
      include(gate.lat2, gate.lon2);
    }
    for (const device of this.model.devices.values()) include(device.lat, device.lon);
    return grew;
  }

  /**
   * A local equirectangular projection (x = Δlon·cos(lat₀), y = Δlat, in metres) centred on the bounds, scaled
   * to fit the SVG; or centred on the followed entry's marker at a fixed span.
   */
  projection() {
    const b = this.bounds;
    const width = this.svg.clientWidth;
    const height = this.svg.clientHeight;
    if (!b || width === 0 || height === 0) return null;
    let lat0 = (b.minLat + b.maxLat) / 2;
    let lon0 = (b.minLon + b.maxLon) / 2;
    const metresPerDegree = (EARTH_RADIUS_M * Math.PI) / 180;
    const cos = Math.cos((lat0 * Math.PI) / 180);
    const spanX = Math.max((b.maxLon - b.minLon) * cos * metresPerDegree, 50);
    const spanY = Math.max((b.maxLat - b.minLat) * metresPerDegree, 50);
    let scale = Math.min((width - 2 * PADDING_PX) / spanX, (height - 2 * PADDING_PX) / spanY);
    const followed = this.followedDevice();
    if (followed) {
      lat0 = followed.lat;
      lon0 = followed.lon;
      scale = Math.max(scale, width / FOLLOW_SPAN_M);
    }
    const cx = width / 2;
    const cy = height / 2;
    return {
      key: followed ? `${followed.id}@${followed.ts}|${width}x${height}` : `${width}x${height}`,
      scale,
      width,
      height,
      x: (lon) => cx + (lon - lon0) * cos * metresPerDegree * scale,
      y: (lat) => cy - (lat - lat0) * metresPerDegree * scale,
    };
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
      const kind = kinds.has("finish") ? "finish" : kinds.has("start") ? "start" : "split";
      const x1 = p.x(gate.lon1), y1 = p.y(gate.lat1), x2 = p.x(gate.lon2), y2 = p.y(gate.lat2);
      layer.appendChild(this.element("line", { class: `gate ${kind}`, x1, y1, x2, y2 }));
      const text = kinds.has("start") && kinds.has("finish") ? `Start / Finish: ${names.join(" · ")}` : names.join(" · ");
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
    }
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
    for (const device of this.model.devices.values()) {
      let drawn = this.drawn.get(device.id);
      if (!drawn) {
        drawn = this.addDevice(device);
        this.drawn.set(device.id, drawn);
      }
      if (all || drawn.rev !== device.ts) {
        drawn.rev = device.ts;
        this.placeDevice(p, device, drawn);
      }
      if (checkStale || all) {
        const stale = now - device.seenAt > STALE_MS;
        if (stale !== drawn.stale) {
          drawn.stale = stale;
          drawn.marker.classList.toggle("stale", stale);
        }
        const isFollowed = device === followed;
        if (isFollowed !== drawn.followed) {
          drawn.followed = isFollowed;
          drawn.marker.classList.toggle("followed", isFollowed);
        }
      }
    }
  }

  addDevice(device) {
    const marker = this.element("g", { class: "marker", "data-device": device.id });
    const body = this.element("path", { class: "body", d: "M0,-10 L6.5,7 L0,3.5 L-6.5,7 Z" });
    const label = this.element("text", { x: 10, y: 4 });
    label.textContent = this.model.label(device.id);
    marker.append(body, label);
    this.layers.markers.appendChild(marker);
    const trails = TRAIL_PIECES.map((opacity) => {
      const path = this.element("path", { class: "trail", "stroke-opacity": opacity });
      this.layers.trails.appendChild(path);
      return path;
    });
    return { marker, body, label, trails, rev: null, stale: null, followed: null };
  }

  removeDevice(drawn) {
    drawn.marker.remove();
    for (const path of drawn.trails) path.remove();
  }

  placeDevice(p, device, drawn) {
    const x = p.x(device.lon), y = p.y(device.lat);
    drawn.marker.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
    drawn.body.setAttribute("transform", `rotate(${this.heading(device).toFixed(0)})`);
    // The trail in pieces by age: the oldest quarter of TRAIL_MS faintest.
    const pieces = TRAIL_PIECES.map(() => []);
    const trail = device.trail;
    for (let i = 0; i < trail.length; i++) {
      const age = device.ts - trail[i].t;
      const piece = Math.min(TRAIL_PIECES.length - 1, Math.max(0, TRAIL_PIECES.length - 1 - Math.floor((age / TRAIL_MS) * TRAIL_PIECES.length)));
      const point = `${p.x(trail[i].lon).toFixed(1)},${p.y(trail[i].lat).toFixed(1)}`;
      pieces[piece].push(point);
      // Each piece starts where the older one ended, so the trail has no gaps.
      if (i + 1 < trail.length) {
        const nextAge = device.ts - trail[i + 1].t;
        const next = Math.min(TRAIL_PIECES.length - 1, Math.max(0, TRAIL_PIECES.length - 1 - Math.floor((nextAge / TRAIL_MS) * TRAIL_PIECES.length)));
        if (next !== piece) pieces[next].push(point);
      }
    }
    pieces.forEach((points, index) => {
      drawn.trails[index].setAttribute("d", points.length > 1 ? "M" + points.join("L") : "");
    });
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
