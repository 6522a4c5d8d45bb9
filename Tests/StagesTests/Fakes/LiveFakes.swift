import Stages
import Synchronization

/// The device → events registry, fixed by the test; records every device it was asked about.
final class FakeDeviceEventLookup: DeviceEventLookup {
    private let events: [String: Set<String>]
    private let asked = Mutex<[String]>([])

    init(_ events: [String: Set<String>]) {
        self.events = events
    }

    var devicesAsked: [String] { self.asked.withLock { $0 } }

    func events(of device: String) -> Set<String> {
        self.asked.withLock { $0.append(device) }
        return self.events[device] ?? []
    }
}

/// Records every position published and the events it went to, in order.
final class RecordingPublisher: LivePublisher {
    struct Publication: Sendable, Hashable {
        var position: LivePosition
        var events: Set<String>
    }

    let published = Watched<[Publication]>([])

    func publish(_ position: LivePosition, to events: Set<String>) {
        self.published.update { $0.append(Publication(position: position, events: events)) }
    }
}

/// Records every crossing change published, in order.
final class RecordingCrossingPublisher: LiveCrossingPublisher {
    let published = Watched<[CrossingChange]>([])

    func publish(_ change: CrossingChange) {
        self.published.update { $0.append(change) }
    }
}
