// The concrete stages of flowrun's pipelines (stream source, decode, device state, position writer,
// acknowledge, dead-letter, event lookup, fan-out) and the Redis and PostgreSQL clients they use live
// in this module. They arrive with the durable-write and live-broadcast issues; Flow's generic stages
// (Map, Batch, Broadcast, …) are in the Flow module.
import Flow
