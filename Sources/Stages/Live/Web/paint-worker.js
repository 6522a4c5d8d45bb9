// The map's painter (painter.js) in a worker: draws the markers and trails on the canvases the page handed over,
// off the page's main thread, and answers each `markers` message's `seq` once drawn, with when (ms since the
// epoch: `performance.timeOrigin + performance.now()`, the page's clock too).

import { Painter } from "./painter.js";

let painter = null;

onmessage = (event) => {
  const message = event.data;
  if (message.kind === "init") {
    painter = new Painter(message.trails, message.markers);
    return;
  }
  const painted = painter.handle(message);
  if (painted !== undefined) postMessage({ painted, at: performance.timeOrigin + performance.now() });
};
