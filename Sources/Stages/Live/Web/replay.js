// The replay: the event's stored positions (GET /events/<id>/positions, authorised like the live subscription),
// paged ahead of a play head that moves at 1×–60× device time, applied to a RaceModel of its own. Its standings
// are the live model's counted crossings whose time is at or before the play head (CONTRACT §6.3: a crossing
// carries its time). Playing into the end of what was stored while the race goes on (the live feed has newer
// positions), it asks for what was stored since (the last page's `resume`) and plays on: it catches up with
// live instead of stopping. Like the live path, nothing here touches the DOM: the view draws `model` once per frame.

import { RaceModel, TRAIL_MS } from "./model.js";

/** Positions per request (the server's maximum is 5000). */
const PAGE_LIMIT = 2000;
/** Pages are fetched until this much device time (times the speed) lies loaded ahead of the play head. */
const AHEAD_MS = 15 * 1000;
/** A failed request (503, or flowrun not answering) is tried again after this long. */
const RETRY_MS = 2000;
/** At the end of what is loaded while live is ahead: what was stored since is asked for at most this often. */
const FOLLOW_MS = 1000;
export const SPEEDS = [1, 2, 5, 10, 30, 60];

export class Replay {
  /** @param live the live RaceModel: its course, entries and crossings are the replay's too. */
  constructor(live) {
    this.live = live;
    this.model = new RaceModel();
    this.eventID = null;
    this.active = false;
    this.playing = false;
    this.speed = 1;
    this.head = null; // ms since the epoch, device time
    this.first = null; // the event's first and last stored position, ms
    this.last = null;
    this.error = "";
    this.loading = false;
    this.liveNewest = 0; // the newest live position's time, ms (0: none yet)
    this.followAt = 0; // not before this wall time (ms) is what was stored since asked for again
    this.pageRetry = null;
    this.restart(null);
  }

  /** Forgets what was loaded; the next pages start at `from` (ms) or, when null, at the event's first position. */
  restart(from) {
    this.generation = (this.generation || 0) + 1;
    this.buffer = []; // fetched positions not yet applied, in ts order
    this.taken = 0; // how many of `buffer` are applied
    this.from = from;
    this.cursor = null; // the last page's `next`
    this.complete = false; // the last page had no `next`: everything up to `last` is loaded
    this.resume = null; // the last page's `resume`: where to ask for what is stored after it
    this.loadedUntil = -Infinity; // the ts of the last position fetched
    this.stalled = false;
    // One page request at a time: one in flight for an earlier seek is let finish (its page is dropped),
    // one waiting to be tried again is dropped now.
    if (this.pageRetry) {
      clearTimeout(this.pageRetry);
      this.pageRetry = null;
      this.loading = false;
    }
    this.crossingsKey = "";
    this.courseVersion = -1;
  }

  /** The event being watched changed (or was subscribed again): learns its span, stays live. */
  prepare(eventID) {
    if (eventID !== this.eventID) {
      this.leave();
      this.eventID = eventID;
      this.first = this.last = null;
      this.liveNewest = 0;
    }
    this.stalled = false;
    if (eventID) this.request({ limit: 1 }, false);
  }

  /** Starts replaying at `t` (ms; the event's start when null), paused unless `play`. */
  enter(t, play) {
    this.active = true;
    this.seek(t === null ? this.first : t);
    this.playing = play;
  }

  /** Back to live: the replay stops and forgets its positions. */
  leave() {
    this.active = false;
    this.playing = false;
    this.head = null;
    this.model.reset();
    this.restart(null);
  }

  /** Moves the play head to `t` (ms): the markers start again from the positions of the trail's length before. */
  seek(t) {
    this.model.reset();
    this.head = t;
    this.restart(t === null ? null : t - TRAIL_MS);
    this.syncCourse();
    this.pump();
  }

  /** Plays on from the play head; at the end, from the start again, unless live is ahead (then it catches up). */
  play() {
    if (this.head === null) return;
    if (this.ended && !(this.liveNewest > this.last)) this.seek(this.first);
    this.playing = true;
  }

  get ended() {
    return this.complete && this.head !== null && this.last !== null && this.head >= this.last;
  }

  /** At the end of what was stored and playing on, because live has newer positions: what came since is asked for. */
  get catchingUp() {
    return this.ended && this.playing;
  }

  /**
   * One animation frame at wall time `now` (ms): moves the play head, applies what it passed, fetches ahead.
   * `liveNewest`: the newest live position's time (ms, 0: none).
   */
  tick(now, liveNewest = 0) {
    const elapsed = this.lastTick === undefined ? 0 : Math.max(0, now - this.lastTick);
    this.lastTick = now;
    this.liveNewest = Math.max(this.liveNewest, liveNewest || 0);
    if (!this.active) return;
    this.syncCourse();
    if (this.playing && this.head !== null) {
      let head = this.head + elapsed * this.speed;
      // Never past what is loaded: wait for the next page (or stop at the end).
      const bound = this.complete ? this.last : this.loadedUntil;
      if (bound !== null && head > bound) head = Math.max(this.head, bound);
      this.head = head;
      if (this.ended) {
        this.head = this.last;
        // Live is ahead of what was stored when the last page came: ask for what came since, and play on.
        if (this.liveNewest > this.last && this.resume !== null) this.follow(now);
        else this.playing = false;
      }
    }
    this.applyUpTo(this.head);
    this.syncCrossings();
    this.pump();
  }

  applyUpTo(t) {
    if (t === null) return;
    const buffer = this.buffer;
    while (this.taken < buffer.length && buffer[this.taken].t <= t) {
      const position = buffer[this.taken++].position;
      this.model.applyPosition(position, Date.parse(position.ts));
    }
    if (this.taken > 4096) {
      this.buffer = buffer.slice(this.taken);
      this.taken = 0;
    }
  }

  /** The course and entries are the live model's. */
  syncCourse() {
    if (this.courseVersion === this.live.courseVersion) return;
    this.courseVersion = this.live.courseVersion;
    this.model.course = this.live.course;
    this.model.entries = this.live.entries;
    this.model.entryByDevice = this.live.entryByDevice;
    this.model.courseVersion++;
    this.model.standingsVersion++;
    this.crossingsKey = "";
  }

  /** The standings as they stood at the play head: the crossings known, those at or before it. */
  syncCrossings() {
    const live = this.live;
    if (this.timesVersion !== live.standingsVersion) {
      this.timesVersion = live.standingsVersion;
      this.times = [];
      for (const counted of live.crossings.values()) {
        for (const crossing of counted.values()) this.times.push(Date.parse(crossing.ts));
      }
      this.times.sort((a, b) => a - b);
    }
    const head = this.head === null ? -Infinity : this.head;
    let passed = 0; // how many crossing times are ≤ head (binary search)
    for (let high = this.times.length; passed < high; ) {
      const middle = (passed + high) >> 1;
      if (this.times[middle] <= head) passed = middle + 1;
      else high = middle;
    }
    const key = `${live.standingsVersion}/${passed}`;
    if (key === this.crossingsKey) return;
    this.crossingsKey = key;
    this.model.crossings = new Map();
    for (const [entryID, counted] of live.crossings) {
      const before = new Map([...counted].filter(([, crossing]) => Date.parse(crossing.ts) <= head));
      if (before.size) this.model.crossings.set(entryID, before);
    }
    this.model.standingsVersion++;
  }

  /** Asks for the positions stored after the last page (its `resume`), at most every FOLLOW_MS. */
  follow(now) {
    if (this.loading || now < this.followAt) return;
    this.followAt = now + FOLLOW_MS;
    this.cursor = this.resume;
    this.complete = false;
  }

  /** Fetches the next page when less than AHEAD_MS × speed is loaded ahead of the play head. */
  pump() {
    if (!this.active || this.loading || this.stalled || this.complete || this.head === null) return;
    if (this.loadedUntil >= this.head + AHEAD_MS * this.speed) return;
    const query = { limit: PAGE_LIMIT };
    if (this.cursor) query.after = this.cursor;
    else if (this.from !== null) query.from = new Date(this.from).toISOString();
    this.request(query, true);
  }

  take(page) {
    this.learnSpan(page);
    for (const position of page.positions) this.buffer.push({ t: Date.parse(position.ts), position });
    const lastPosition = page.positions[page.positions.length - 1];
    if (lastPosition) this.loadedUntil = Date.parse(lastPosition.ts);
    this.cursor = page.next;
    this.complete = page.next === null;
    if (page.resume) this.resume = page.resume;
  }

  learnSpan(page) {
    this.first = page.first === null ? null : Date.parse(page.first);
    this.last = page.last === null ? null : Date.parse(page.last);
    if (this.active && this.head === null && this.first !== null) this.seek(this.first);
  }

  /**
   * GET /events/<id>/positions?<query>: a page for the play head (`isPage`), or only the span. A page is taken
   * unless a seek or another event came meanwhile. 503 or no answer: tried again after RETRY_MS; 401 or 403:
   * not until the live connection subscribes again (which calls `prepare`).
   */
  async request(query, isPage) {
    const eventID = this.eventID;
    const generation = this.generation;
    if (isPage) this.loading = true;
    const url = `/events/${encodeURIComponent(eventID)}/positions?` + new URLSearchParams(query);
    let response = null;
    let page = null;
    try {
      response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) page = await response.json();
    } catch {
      // flowrun not answering: tried again below.
    }
    if (isPage) this.loading = false;
    if (eventID !== this.eventID || (isPage && generation !== this.generation)) return this.pump();
    if (page) {
      this.error = "";
      if (isPage) this.take(page);
      else this.learnSpan(page);
      return this.pump();
    }
    const status = response ? response.status : 0;
    if (status === 401 || status === 403) {
      this.error = status === 401 ? "sign in to the CMS" : "you may not watch this event";
      this.stalled = true;
      return;
    }
    this.error = "stored positions unavailable; trying again";
    if (!isPage) {
      setTimeout(() => {
        if (eventID === this.eventID) this.request(query, false);
      }, RETRY_MS);
      return;
    }
    this.loading = true; // holds further pages back until the retry
    this.pageRetry = setTimeout(() => {
      this.pageRetry = null;
      this.loading = false;
      this.pump();
    }, RETRY_MS);
  }
}
