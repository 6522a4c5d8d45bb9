// Placeholder so the target builds; replaced by the WebSocket client used by tests and the live benchmark.
enum LiveTestClientPlaceholder {}
