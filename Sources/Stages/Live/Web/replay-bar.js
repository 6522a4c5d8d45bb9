// The replay bar under the map: play / pause, the speed (1×–60×), a time slider from the event's first to its
// last stored position (growing as a replay catches up with a live race), and "live" to go back. In live mode
// the slider rests at the end; moving it, or play, starts a replay there (play: from the event's start).

import { SPEEDS } from "./replay.js";

export class ReplayBar {
  /** @param onModeChange(active): the view is to draw the replay's model (true) or the live one (false). */
  constructor(document, replay, onModeChange) {
    this.replay = replay;
    this.onModeChange = onModeChange;
    this.playButton = document.getElementById("replay-play");
    this.speedPicker = document.getElementById("replay-speed");
    this.slider = document.getElementById("replay-slider");
    this.timeBox = document.getElementById("replay-time");
    this.liveButton = document.getElementById("replay-live");
    for (const speed of SPEEDS) this.speedPicker.appendChild(new Option(`${speed}×`, String(speed)));
    this.speedPicker.value = String(replay.speed);
    this.dragging = false;
    this.shown = {};
    this.playButton.addEventListener("click", () => this.togglePlay());
    this.speedPicker.addEventListener("change", () => {
      replay.speed = Number(this.speedPicker.value);
    });
    this.slider.addEventListener("pointerdown", () => (this.dragging = true));
    this.slider.addEventListener("pointerup", () => (this.dragging = false));
    this.slider.addEventListener("input", () => this.seek(replay.first + Number(this.slider.value)));
    this.liveButton.addEventListener("click", () => this.goLive());
  }

  togglePlay() {
    const replay = this.replay;
    if (!replay.active) {
      if (replay.first === null) return;
      replay.enter(null, true);
      this.onModeChange(true);
    } else if (replay.playing) {
      replay.playing = false;
    } else {
      replay.play();
    }
  }

  seek(t) {
    if (this.replay.first === null) return;
    if (this.replay.active) {
      this.replay.seek(t);
    } else {
      this.replay.enter(t, false);
      this.onModeChange(true);
    }
  }

  goLive() {
    if (!this.replay.active) return;
    this.replay.leave();
    this.onModeChange(false);
  }

  /** Once per frame: the controls as the replay stands; `liveTs` is the newest live fix's time (ms, or 0). */
  render(liveTs) {
    const replay = this.replay;
    const first = replay.first;
    const last = replay.active ? replay.last : Math.max(replay.last ?? 0, liveTs || 0);
    const max = first === null ? 0 : Math.max(0, last - first);
    const value = first === null ? 0 : replay.active ? Math.max(0, (replay.head ?? first) - first) : max;
    // Nothing stored (yet): nothing to replay.
    this.set("disabled", first === null, () => {
      this.slider.disabled = first === null;
      this.playButton.disabled = first === null && !replay.active;
    });
    this.set("max", max, () => (this.slider.max = String(max)));
    if (!this.dragging) this.set("value", Math.round(value), () => (this.slider.value = String(Math.round(value))));
    const playing = replay.active && replay.playing;
    this.set("playing", playing, () => {
      this.playButton.textContent = playing ? "❚❚" : "▶";
      this.playButton.title = playing ? "pause" : replay.active ? "play" : "replay from the start";
    });
    this.set("active", replay.active, () => this.liveButton.classList.toggle("on", !replay.active));
    let text = "live";
    if (replay.active) {
      text = replay.head === null ? "replay: loading…" : `replay ${new Date(replay.head).toISOString().slice(11, 19)} UTC`;
      if (replay.catchingUp) text += " · catching up with live";
      else if (replay.ended) text += " · end";
      else if (!replay.playing) text += " · paused";
      if (replay.error) text += ` · ${replay.error}`;
    }
    this.set("text", text, () => (this.timeBox.textContent = text));
  }

  /** Changes the DOM only when `key`'s value changed since the last frame. */
  set(key, value, change) {
    if (this.shown[key] === value) return;
    this.shown[key] = value;
    change();
  }
}
