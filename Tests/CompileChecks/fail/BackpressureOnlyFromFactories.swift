// expected-error: initializer is inaccessible due to 'private' protection level
//
// A backpressure value is made only by the factories that check it (watermark, capacity, default).
import Flow

let backpressure = Backpressure(low: 8, high: 2, maxChunk: 0)
