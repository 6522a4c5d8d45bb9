// Measurement for the live benchmark's --browser mode, loaded only when the page's URL has `?measure=1` (app.js
// imports it then; otherwise nothing of it runs or is even fetched). It wraps the model's and the view's methods
// on their instances, so the page's own code has no measurement in it:
// - each position as the page's message handler applies it: [at, device_id, ts];
// - each frame that moved markers: when the painter had drawn them (view.painted: the painter's answer, timed in
//   its worker when it finished drawing), and the device and `ts` of each marker it moved.
// Times are `performance.timeOrigin + performance.now()`, ms since the epoch with sub-ms resolution; the benchmark
// relates them to its own clock through round trips of `flowrunMeasure.clock()` (never through Date.now()).

export function measure({ model, view }) {
  let arrivals = []; // flat: at, device, ts, at, device, ts, …
  let frames = []; // [at, device, ts, device, ts, …] per frame
  let pending = []; // frames drawn, waiting for their rendering to end
  let moved = null; // the frame being drawn: device, ts, …
  const clock = () => performance.timeOrigin + performance.now();

  const applyPosition = model.applyPosition;
  model.applyPosition = function (position, seenAt) {
    arrivals.push(clock(), position.device_id, Date.parse(position.ts));
    return applyPosition.call(this, position, seenAt);
  };

  const placeDevice = view.placeDevice;
  view.placeDevice = function (p, device, drawn) {
    placeDevice.call(this, p, device, drawn);
    if (moved) moved.push(device.id, device.ts);
  };

  // A frame's markers are on the map once the painter (painter.js, in a worker where it can) has drawn them: it
  // answers each frame's `seq` with when it had drawn them, on the same clock (timeOrigin + now, in the worker).
  const painted = view.painted;
  view.painted = function (seq, at) {
    painted.call(this, seq, at);
    while (pending.length > 0 && pending[0].seq <= seq) frames.push([at, ...pending.shift().moved]);
  };
  const render = view.render;
  view.render = function (now) {
    moved = [];
    render.call(this, now);
    const frame = moved;
    moved = null;
    if (frame.length > 0) pending.push({ seq: view.paintSeq, moved: frame });
  };

  window.flowrunMeasure = {
    /** The page's clock now (for the benchmark's round trips). */
    clock,
    /** What was recorded since the last call, as JSON; forgets it. */
    take() {
      const taken = JSON.stringify({ arrivals, frames, framesRendered: view.frames });
      arrivals = [];
      frames = [];
      return taken;
    },
  };
}
