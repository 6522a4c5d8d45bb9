import BenchmarkSupport
import Foundation
import Stages

/// The upstream ingestion service: appends positions (CONTRACT §1) at a steady rate, round-robin over the fleet,
/// in small `XADD` pipelines, and records when each one went out.
struct PositionFeeder: Sendable {
    let redis: RedisConnection
    let stream: String
    let fleet: Fleet
    /// Positions per second.
    let rate: Int
    let reader: DeliveryReader
    /// The pause between two batches; each batch holds what fell due meanwhile.
    var tick: Duration = .milliseconds(2)
    /// The most positions in one pipeline, when the feeder has fallen behind.
    var maxBatch = 1000

    /// Feeds until `end`; returns when each position went out (ns after the reader's origin), by position
    /// number: the instant just before its batch was sent.
    func run(until end: ContinuousClock.Instant) async throws -> [Int64] {
        let start = ContinuousClock.now
        var sentAt: [Int64] = []
        sentAt.reserveCapacity(Int(Double(self.rate) * ((end - start) / .seconds(1)) * 1.05) + self.maxBatch)
        let stream = RedisArgument(self.stream)
        while true {
            let now = ContinuousClock.now
            guard now < end else { break }
            let due = Int(Double(self.rate) * ((now - start) / .seconds(1)))
            let count = min(due - sentAt.count, self.maxBatch)
            if count > 0 {
                let commands = (sentAt.count..<sentAt.count + count).map { self.command($0, stream: stream) }
                let instant = self.reader.nanoseconds(at: .now)
                sentAt.append(contentsOf: repeatElement(instant, count: count))
                let replies = try await self.redis.send(pipeline: commands)
                if let failure = replies.first(where: { if case .error = $0 { true } else { false } }) {
                    throw BenchmarkFailure("XADD to \(self.stream) failed: \(failure)")
                }
            }
            try await Task.sleep(for: self.tick)
        }
        return sentAt
    }

    private func command(_ position: Int, stream: RedisArgument) -> [RedisArgument] {
        let device = position % self.fleet.deviceCount
        let imei = self.fleet.imei(of: device)
        return [
            "XADD", stream, "*", "device_id", RedisArgument(imei),
            "payload", RedisArgument(self.payload(position, device: device, imei: imei)),
        ]
    }

    /// A CONTRACT §1 payload: the device drives round a circle of its own, about 1 km across.
    private func payload(_ position: Int, device: Int, imei: String) -> String {
        let timestamp = Timestamp.format(self.fleet.timestamp(ofPosition: position), precision: .milliseconds)
        let lap = Double(position / self.fleet.deviceCount) / 60
        let angle = (lap + Double(device) / Double(self.fleet.deviceCount)) * 2 * Double.pi
        let latitude = 54.687157 + 0.005 * cos(angle)
        let longitude = 25.279652 + 0.008 * sin(angle)
        let heading = Int((angle * 180 / Double.pi).truncatingRemainder(dividingBy: 360))
        return """
            {"device_id":"\(imei)","timestamp":"\(timestamp)","latitude":\(latitude),"longitude":\(longitude),\
            "altitude":112,"angle":\(heading),"speed":43,"satellites":11,"priority":0,\
            "attributes":{"239":1,"66":12870}}
            """
    }
}
