// The page's side of CONTRACT §5: asks GET /events first (the same CMS check as the upgrade, with a status a
// browser can read: 401 sign in, 503 CMS unavailable), then opens ws(s)://<this host>/live and subscribes to the
// event. A lost socket is reopened after a backoff (1 s doubling to 30 s, back to 1 s once subscribed), and the
// new `subscribed` snapshot makes the model whole again.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];

export class LiveConnection {
  /**
   * @param onState(state, detail): "connecting" | "live" | "reconnecting" | "signin" | "unavailable" | "forbidden"
   * @param onMessage(message): every frame of the chosen event's topic
   * @param onEvents(list): the events the user may watch, from each GET /events
   */
  constructor({ onState, onMessage, onEvents }) {
    this.onState = onState;
    this.onMessage = onMessage;
    this.onEvents = onEvents;
    this.eventID = null;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.generation = 0;
  }

  get topic() {
    return this.eventID ? `event:${this.eventID}` : null;
  }

  /** Starts (or restarts) the connection; with an event, subscribes to it. */
  start(eventID) {
    const previous = this.topic;
    this.eventID = eventID;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      if (previous && previous !== this.topic) this.send({ type: "unsubscribe", topic: previous });
      if (this.topic) this.send({ type: "subscribe", topic: this.topic });
      return;
    }
    if (!this.socket && !this.timer) this.connect();
  }

  async connect() {
    this.timer = null;
    const generation = ++this.generation;
    this.onState("connecting");
    let response;
    try {
      response = await fetch("/events", { credentials: "same-origin", cache: "no-store" });
    } catch (error) {
      return this.retry("flowrun cannot be reached");
    }
    if (generation !== this.generation) return;
    if (response.status === 401) return this.retry("sign in to the CMS", "signin");
    if (response.status === 503) return this.retry("the CMS is unavailable", "unavailable");
    if (!response.ok) return this.retry(`GET /events answered ${response.status}`);
    const body = await response.json();
    this.onEvents(body.events || []);
    this.open();
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/live`);
    this.socket = socket;
    socket.onopen = () => {
      if (this.topic) this.send({ type: "subscribe", topic: this.topic });
      else this.onState("live");
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "error") return this.failed(message);
      if (message.topic !== this.topic) return;
      if (message.type === "subscribed") {
        this.attempt = 0;
        this.onState("live");
      }
      this.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry("the connection to flowrun was lost");
    };
  }

  failed(message) {
    if (message.topic && message.topic !== this.topic) return;
    if (message.code === "forbidden") {
      this.onState("forbidden", "you may not watch this event");
      return;
    }
    // unavailable (the CMS or the database could not be asked): try again later on a new socket.
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.retry(message.code === "unavailable" ? "the CMS is unavailable" : message.message, "unavailable");
  }

  retry(reason, state = "reconnecting") {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.onState(state, reason, delay);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    this.socket.send(JSON.stringify(message));
  }
}
