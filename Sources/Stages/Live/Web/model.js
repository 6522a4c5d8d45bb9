// The race as the page knows it: the event's course, entries, every device's latest fix and recent trail, and
// the counted crossings (CONTRACT §5, §6.5). Messages change it; the view reads it once per animation frame.

/**
 * How much of a device's recent path its trail shows (device time), and at most how many fixes: 400 a device,
 * fewer when there are many devices, so that all trails together hold at most TRAIL_POINTS_BUDGET fixes (but
 * never fewer than TRAIL_MIN_POINTS a device): what the page redraws and the browser paints stays bounded.
 */
export const TRAIL_MS = 3 * 60 * 1000;
const TRAIL_MAX_POINTS = 400;
const TRAIL_MIN_POINTS = 30;
const TRAIL_POINTS_BUDGET = 40000;
/** A device with no fix for this long is drawn grey. */
export const STALE_MS = 30 * 1000;

export class RaceModel {
  constructor() {
    this.reset();
  }

  /** Forgets everything (a new subscription's snapshot makes it whole again). */
  reset() {
    this.course = [];
    this.entries = [];
    this.entryByDevice = new Map();
    this.devices = new Map(); // device_id → {id, lat, lon, angle, speed, ts, seenAt, trail: [{lat, lon, t}]}
    this.moved = new Set(); // the devices with a new fix since the view last drew (it clears the set)
    this.crossings = new Map(); // entry_id → Map(checkpoint_id → crossing)
    // Versions only grow, also across a reset, so that a view that drew the model before redraws it all.
    this.courseVersion = (this.courseVersion ?? -1) + 1;
    this.standingsVersion = (this.standingsVersion ?? -1) + 1;
    this.positionsVersion = (this.positionsVersion ?? -1) + 1;
    this.messages = 0;
  }

  /** `subscribed`: the snapshot replaces what was known of the event. */
  applySubscribed(message, now) {
    this.reset();
    this.course = (message.course || []).slice().sort((a, b) => a.seq - b.seq);
    this.entries = message.entries || [];
    for (const entry of this.entries) {
      for (const device of entry.devices || []) {
        if (!this.entryByDevice.has(device)) this.entryByDevice.set(device, entry);
      }
    }
    for (const position of message.snapshot || []) {
      const ts = Date.parse(position.ts);
      this.applyPosition(position, Math.min(ts, now));
    }
    for (const crossing of message.crossings || []) this.applyCrossing(crossing);
    this.courseVersion++;
    this.standingsVersion++;
  }

  /** A `position` (or one of the snapshot's), seen at `seenAt` (ms since the epoch). */
  applyPosition(position, seenAt) {
    const t = Date.parse(position.ts);
    let device = this.devices.get(position.device_id);
    if (!device) {
      device = { id: position.device_id, trail: [] };
      this.devices.set(position.device_id, device);
    } else if (t < device.ts) {
      return; // never back (the server already ensures it; a reconnect's snapshot may repeat one)
    }
    device.lat = position.latitude;
    device.lon = position.longitude;
    device.angle = position.angle;
    device.speed = position.speed;
    device.ts = t;
    device.seenAt = seenAt;
    const trail = device.trail;
    trail.push({ lat: position.latitude, lon: position.longitude, t });
    const most = Math.max(TRAIL_MIN_POINTS, Math.min(TRAIL_MAX_POINTS, Math.floor(TRAIL_POINTS_BUDGET / this.devices.size)));
    let drop = 0;
    while (drop < trail.length - 1 && (t - trail[drop].t > TRAIL_MS || trail.length - drop > most)) drop++;
    if (drop > 0) trail.splice(0, drop);
    this.moved.add(device);
    this.positionsVersion++;
  }

  applyCrossing(crossing) {
    let counted = this.crossings.get(crossing.entry_id);
    if (!counted) {
      counted = new Map();
      this.crossings.set(crossing.entry_id, counted);
    }
    counted.set(crossing.checkpoint_id, crossing);
    this.standingsVersion++;
  }

  removeCrossing(entryID, checkpointID) {
    const counted = this.crossings.get(entryID);
    if (counted && counted.delete(checkpointID)) this.standingsVersion++;
  }

  /** The entry a device belongs to, or undefined. */
  entryOf(deviceID) {
    return this.entryByDevice.get(deviceID);
  }

  /** What a device's marker is labelled with: its entry's name (or the entry's id, or the IMEI). */
  label(deviceID) {
    const entry = this.entryByDevice.get(deviceID);
    if (!entry) return deviceID;
    return entry.name || entry.id;
  }

  /**
   * The standings (CONTRACT §6.3 "Results"), as `flowrun timing standings` computes them: by checkpoints counted
   * (more first), then the elapsed time at the last one counted (less first), then the entry id; entries
   * without a start last, unplaced. Ties on both share a place.
   */
  standings() {
    const order = new Map();
    this.course.forEach((checkpoint, index) => {
      if (!order.has(checkpoint.id)) order.set(checkpoint.id, index);
    });
    const rows = this.entries.map((entry) => {
      const times = new Map(); // course index → ms
      for (const crossing of (this.crossings.get(entry.id) || new Map()).values()) {
        const index = order.get(crossing.checkpoint_id);
        if (index !== undefined) times.set(index, Date.parse(crossing.ts));
      }
      const last = times.size ? Math.max(...times.keys()) : undefined;
      const elapsed = times.has(0) && last !== undefined ? times.get(last) - times.get(0) : undefined;
      return { entry, counted: times.size, last: last === undefined ? undefined : this.course[last], elapsed };
    });
    const byID = (a, b) => (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
    rows.sort((a, b) => {
      if (a.elapsed !== undefined && b.elapsed !== undefined) {
        return b.counted - a.counted || a.elapsed - b.elapsed || byID(a, b);
      }
      if (a.elapsed !== undefined) return -1;
      if (b.elapsed !== undefined) return 1;
      return b.counted - a.counted || byID(a, b);
    });
    const leader = rows[0];
    rows.forEach((row, index) => {
      if (row.elapsed === undefined || leader.elapsed === undefined) return;
      const previous = rows[index - 1];
      row.place =
        previous && previous.counted === row.counted && previous.elapsed === row.elapsed ? previous.place : index + 1;
      if (index === 0) row.gap = "leader";
      else if (row.counted === leader.counted) row.gap = "+" + clock(row.elapsed - leader.elapsed);
      else {
        const fewer = leader.counted - row.counted;
        row.gap = `+${fewer} checkpoint${fewer === 1 ? "" : "s"}`;
      }
    });
    return rows;
  }
}

/** Milliseconds as `h:mm:ss.mmm`, as `flowrun timing standings` prints them. */
export function clock(ms) {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms));
  const hours = Math.floor(rest / 3600000);
  rest -= hours * 3600000;
  const minutes = Math.floor(rest / 60000);
  rest -= minutes * 60000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const pad = (value, width) => String(value).padStart(width, "0");
  return `${sign}${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}`;
}
