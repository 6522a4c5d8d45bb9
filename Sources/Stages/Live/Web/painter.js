// Draws the map's markers and trails on two canvases, from what the page sends in map pixels. In a worker when
// the browser can hand a canvas to one (OffscreenCanvas; paint-worker.js), so that the page's main thread only
// says what moved; else on the main thread itself, the same code.
//
// Messages (`kind`):
// - `size`: {width, height, ratio}: the map's size in CSS pixels and the device pixel ratio; clears both.
// - `texts`: {texts: [[index, text]…]}: the texts of labels, by the index the labels name them with.
// - `markers`: {seq, data, labels}: every marker, five numbers each: x, y, cos and sin of its heading, its look
//   (LOOK); and every label shown, five numbers each: its text's index, x, y where the text is anchored (on its
//   baseline), the anchor (0 start, 1 end, 2 middle), its look. Redrawn whole; answered with `seq` once drawn.
// - `trails`: {data}: every trail, redrawn whole: per trail its point count n, its first point x, y, then n - 1
//   times the piece of the part ending there (0 the oldest, faintest) and the point x, y.
// - `extend`: {data}: parts added to the trails, drawn as the newest piece: per part n, then n points x, y.

/** How a marker looks: in a normal colour, grey (no fix for a while), or followed. */
export const LOOK = { normal: 0, stale: 1, followed: 2 };
/** The opacity of each piece of a trail, oldest first. */
export const TRAIL_PIECES = [0.12, 0.25, 0.45, 0.8];
const MARKER_STROKE = "#fff";
const LOOKS = [
  { look: LOOK.stale, fill: "#9aa3ad", stroke: MARKER_STROKE },
  { look: LOOK.normal, fill: "#d9480f", stroke: MARKER_STROKE },
  { look: LOOK.followed, fill: "#f5b700", stroke: "#1d2430" },
];
const TRAIL_STROKE = "#d9480f";
/** The labels: their font (the page measures their widths in it), colour (grey when the marker is), and halo. */
export const LABEL_FONT = "11px system-ui, sans-serif";
const LABEL_FILL = "#1d2430";
const LABEL_STALE_FILL = "#9aa3ad";
const LABEL_HALO = "#fff";
const ANCHORS = ["start", "end", "center"];
/** A marker's arrow: tip 10 px ahead, 13 px wide, its four corners (x, y) before turning. */
export const ARROW = [0, -10, 6.5, 7, 0, 3.5, -6.5, 7];

export class Painter {
  constructor(trailCanvas, markerCanvas) {
    this.trails = trailCanvas;
    this.markers = markerCanvas;
    this.width = 0;
    this.height = 0;
    this.texts = new Map(); // label index → text
  }

  /** Draws what `message` says; returns the `seq` of a `markers` message once drawn. */
  handle(message) {
    switch (message.kind) {
      case "size":
        this.size(message);
        return undefined;
      case "texts":
        for (const [index, text] of message.texts) this.texts.set(index, text);
        return undefined;
      case "markers":
        this.drawMarkers(message.data);
        this.drawLabels(message.labels);
        return message.seq;
      case "trails":
        this.drawTrails(message.data);
        return undefined;
      case "extend":
        this.extendTrails(message.data);
        return undefined;
      default:
        return undefined;
    }
  }

  size({ width, height, ratio }) {
    this.width = width;
    this.height = height;
    for (const canvas of [this.trails, this.markers]) {
      // Setting a size clears the canvas and its context's state: only when it changes.
      const w = Math.round(width * ratio), h = Math.round(height * ratio);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      canvas.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
    }
  }

  /** Every marker, each look one path filled and stroked once: the grey ones first, the followed one last. */
  drawMarkers(data) {
    const context = this.markers.getContext("2d");
    context.clearRect(0, 0, this.width, this.height);
    context.lineWidth = 1.5;
    context.lineJoin = "round";
    for (const { look, fill, stroke } of LOOKS) {
      context.beginPath();
      let any = false;
      for (let i = 0; i < data.length; i += 5) {
        if (data[i + 4] !== look) continue;
        any = true;
        const x = data[i], y = data[i + 1], cos = data[i + 2], sin = data[i + 3];
        for (let corner = 0; corner < ARROW.length; corner += 2) {
          const ax = ARROW[corner], ay = ARROW[corner + 1];
          const px = x + ax * cos - ay * sin, py = y + ax * sin + ay * cos;
          if (corner === 0) context.moveTo(px, py);
          else context.lineTo(px, py);
        }
        context.closePath();
      }
      if (!any) continue;
      context.fillStyle = fill;
      context.fill();
      context.strokeStyle = stroke;
      context.stroke();
    }
  }

  /** Every label shown, over the markers: a white halo, then the text. */
  drawLabels(labels) {
    if (!labels || labels.length === 0) return;
    const context = this.markers.getContext("2d");
    context.font = LABEL_FONT;
    context.textBaseline = "alphabetic";
    context.lineWidth = 3;
    context.lineJoin = "round";
    context.strokeStyle = LABEL_HALO;
    for (const pass of ["halo", "text"]) {
      for (let i = 0; i < labels.length; i += 5) {
        const text = this.texts.get(labels[i]);
        if (text === undefined) continue;
        context.textAlign = ANCHORS[labels[i + 3]];
        if (pass === "halo") {
          context.strokeText(text, labels[i + 1], labels[i + 2]);
        } else {
          context.fillStyle = labels[i + 4] === LOOK.stale ? LABEL_STALE_FILL : LABEL_FILL;
          context.fillText(text, labels[i + 1], labels[i + 2]);
        }
      }
    }
  }

  /** Every trail, one path per piece for all of them, stroked once each. */
  drawTrails(data) {
    const context = this.trails.getContext("2d");
    context.clearRect(0, 0, this.width, this.height);
    const paths = TRAIL_PIECES.map(() => new Path2D());
    let i = 0;
    while (i < data.length) {
      const count = data[i];
      let x = data[i + 1], y = data[i + 2];
      i += 3;
      let last = -1;
      for (let point = 1; point < count; point++, i += 3) {
        const piece = data[i];
        // Each piece starts where the older one ended: no gap in the trail.
        if (piece !== last) paths[piece].moveTo(x, y);
        x = data[i + 1];
        y = data[i + 2];
        paths[piece].lineTo(x, y);
        last = piece;
      }
    }
    this.stroke(context, paths);
  }

  /** Parts added to the trails since they were drawn whole, as the newest piece. */
  extendTrails(data) {
    const path = new Path2D();
    let i = 0;
    while (i < data.length) {
      const count = data[i];
      path.moveTo(data[i + 1], data[i + 2]);
      for (let point = 1; point < count; point++) path.lineTo(data[i + 1 + 2 * point], data[i + 2 + 2 * point]);
      i += 1 + 2 * count;
    }
    const paths = TRAIL_PIECES.map(() => null);
    paths[TRAIL_PIECES.length - 1] = path;
    this.stroke(this.trails.getContext("2d"), paths);
  }

  stroke(context, paths) {
    context.strokeStyle = TRAIL_STROKE;
    context.lineWidth = 2;
    context.lineCap = "round";
    context.lineJoin = "round";
    paths.forEach((path, index) => {
      if (!path) return;
      context.globalAlpha = TRAIL_PIECES[index];
      context.stroke(path);
    });
    context.globalAlpha = 1;
  }
}

/**
 * A painter for the two canvases: in a worker when the browser can hand them to one, else on this thread.
 * `send(message, transfer)` gives it a message (its typed arrays' buffers in `transfer` are handed over, not
 * copied); `onPainted(seq, at)` is called once the markers of `seq` are drawn, `at` when (ms since the epoch).
 */
export function connectPainter(trailCanvas, markerCanvas, onPainted) {
  if (typeof trailCanvas.transferControlToOffscreen === "function" && typeof Worker === "function") {
    const worker = new Worker(new URL("./paint-worker.js", import.meta.url), { type: "module" });
    const trails = trailCanvas.transferControlToOffscreen();
    const markers = markerCanvas.transferControlToOffscreen();
    worker.postMessage({ kind: "init", trails, markers }, [trails, markers]);
    worker.onmessage = (event) => onPainted(event.data.painted, event.data.at);
    return { inWorker: true, send: (message, transfer) => worker.postMessage(message, transfer || []) };
  }
  const painter = new Painter(trailCanvas, markerCanvas);
  return {
    inWorker: false,
    send: (message) => {
      const seq = painter.handle(message);
      const at = performance.timeOrigin + performance.now();
      // Answered after the caller's task, as a worker's answer would be.
      if (seq !== undefined) queueMicrotask(() => onPainted(seq, at));
    },
  };
}
