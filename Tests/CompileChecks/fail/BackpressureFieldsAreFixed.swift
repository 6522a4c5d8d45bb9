// expected-error: cannot assign to property: 'maxChunk' is a 'let' constant
//
// A backpressure value cannot be made invalid after its factory checked it (maxChunk 0 would make a sender
// spin without ever suspending).
import Flow

var backpressure = Backpressure.default
backpressure.maxChunk = 0
