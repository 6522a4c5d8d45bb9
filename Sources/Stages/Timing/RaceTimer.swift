/// Times every event of ``TimedEvents``: the state race-timing keeps between positions (CONTRACT §6.3).
///
/// Each position goes to the ``EventTiming`` of every timed event its device is in. An event is first
/// rebuilt (``seed(event:fixes:stored:)``) from what is stored (`positions` and `crossings`): at the first
/// position of it after a start, and when its course or entries change at a refresh. Until then
/// ``take(_:device:changes:)`` reports it in ``Taken/needsSeed``.
///
/// Memory: at most ``TrackSettings/maxFixesPerDevice`` fixes per device and event, and ``maxFixes`` in
/// total; beyond the total, the track taking a fix gives up its oldest fixes down to an equal share
/// (``evicted`` counts them; a fix older than what its track holds is then too late).
public struct RaceTimer: Sendable {
    public let settings: TrackSettings
    /// The most fixes held by all tracks together.
    public let maxFixes: Int
    public private(set) var timed: TimedEvents = .none
    /// Event id → its timing, for the events seeded.
    public private(set) var events: [String: EventTiming] = [:]
    /// IMEI → the timed events it is in.
    private var eventsOfDevice: [String: [String]] = [:]
    /// Event being rebuilt → how many of its devices are not seeded yet.
    private var unseeded: [String: Int] = [:]
    /// Positions too late to be timed (more than `late_window` behind, or older than their track holds).
    public private(set) var tooLate = 0
    /// Fixes evicted by a limit of memory.
    public private(set) var evicted = 0

    /// 500,000 fixes: 12 MB (24 bytes each). 500 devices at 1 Hz keep 1,000 s each; 10,000 devices 50 s.
    public static let defaultMaxFixes = 500_000

    public init(settings: TrackSettings, maxFixes: Int = RaceTimer.defaultMaxFixes) {
        self.settings = settings
        self.maxFixes = maxFixes
    }

    /// How many crossings the events' entries have counted.
    public var crossingsCounted: Int { self.events.values.reduce(0) { $0 + $1.results.count } }

    /// How many fixes all tracks hold.
    public var fixesHeld: Int { self.events.values.reduce(0) { $0 + $1.fixesHeld } }

    /// Takes the registry as it is now. An event whose course or entries changed, or that is no longer
    /// timed, is forgotten (it is seeded again at its next position).
    public mutating func update(_ timed: TimedEvents) {
        for (id, timing) in self.events
        where timed.events[id]
            != TimedEvents.Event(
                course: timing.course,
                entries: timing.entries
            )
        {
            self.events[id] = nil
        }
        var eventsOfDevice: [String: [String]] = [:]
        for (id, event) in timed.events {
            for entry in event.entries {
                for device in entry.devices where eventsOfDevice[device]?.contains(id) != true {
                    eventsOfDevice[device, default: []].append(id)
                }
            }
        }
        self.eventsOfDevice = eventsOfDevice.mapValues { $0.sorted() }
        self.timed = timed
    }

    /// The timed events of `device`.
    public func events(of device: String) -> [String] { self.eventsOfDevice[device] ?? [] }

    /// Whether `event` must be seeded before it takes positions.
    public func needsSeed(_ event: String) -> Bool {
        self.timed.events[event] != nil && self.events[event] == nil
    }

    /// Starts rebuilding `event` (after a start, or a change of its course): its state is forgotten, then
    /// each device's stored fixes are given with ``seed(event:device:fixes:)``, and
    /// ``finishSeed(event:stored:)`` reconciles the results with the stored rows.
    public mutating func beginSeed(event: String) {
        guard let definition = self.timed.events[event] else { return }
        self.events[event] = EventTiming(course: definition.course, entries: definition.entries)
        self.unseeded[event] = self.devices(of: event).count
    }

    /// Takes stored fixes of `device` (in `ts` order, with their `received_at`) into `event`'s rebuild. The
    /// track keeps only what its limits allow, so a device's whole race can be given at once.
    public mutating func seed(event: String, device: String, fixes: [TrackFix]) {
        guard var timing = self.events.removeValue(forKey: event) else { return }
        var ignored: [CrossingChange] = []
        for fix in fixes { timing.take(fix, device: device, settings: self.settings, changes: &ignored) }
        // Consumed: a copy still alive would make the trim below copy every track of the event.
        self.events[event] = consume timing
        // The share counts the event's devices not seeded yet: the first ones seeded keep no more than the last.
        let unseeded = max((self.unseeded[event] ?? 1) - 1, 0)
        self.unseeded[event] = unseeded
        self.keepWithinMemory(device: device, in: [event], expecting: unseeded)
    }

    /// Ends `event`'s rebuild: its results are compared with `stored` (its rows of the `crossings` table);
    /// returns the changes that make the table what the fixes give.
    public mutating func finishSeed(event: String, stored: [CrossingRecord]) -> [CrossingChange] {
        self.unseeded[event] = nil
        return self.events[event]?.reconcile(with: stored) ?? []
    }

    /// ``beginSeed(event:)``, each device's fixes, and ``finishSeed(event:stored:)`` at once.
    public mutating func seed(event: String, fixes: [String: [TrackFix]], stored: [CrossingRecord]) -> [CrossingChange]
    {
        self.beginSeed(event: event)
        for (device, track) in fixes { self.seed(event: event, device: device, fixes: track) }
        return self.finishSeed(event: event, stored: stored)
    }

    /// The devices of `event`'s entries (the timed definition), sorted.
    public func devices(of event: String) -> [String] {
        Set(self.timed.events[event]?.entries.flatMap(\.devices) ?? []).sorted()
    }

    public struct Taken: Sendable, Hashable {
        /// Timed events of the device not seeded yet: seed them, then take the position again.
        public var needsSeed: [String] = []
        /// Whether it was too late for some event.
        public var tooLate = false
        /// Whether some event's track took it (not a repeat, not too late), and then its judgement in `ts`
        /// order in the first such event (nil: not faulty).
        public var taken = false
        public var fault: Fault?

        public init(needsSeed: [String] = [], tooLate: Bool = false, taken: Bool = false, fault: Fault? = nil) {
            self.needsSeed = needsSeed
            self.tooLate = tooLate
            self.taken = taken
            self.fault = fault
        }
    }

    /// Takes a position of `device` into every seeded timed event it is in; appends the changes of results.
    public mutating func take(_ fix: TrackFix, device: String, changes: inout [CrossingChange]) -> Taken {
        var taken = Taken()
        for event in self.events(of: device) {
            guard var timing = self.events.removeValue(forKey: event) else {
                taken.needsSeed.append(event)
                continue
            }
            switch timing.take(fix, device: device, settings: self.settings, changes: &changes) {
            case .tooLate: taken.tooLate = true
            case .inserted(_, let fault) where !taken.taken: (taken.taken, taken.fault) = (true, fault)
            default: break
            }
            self.events[event] = timing
        }
        guard taken.needsSeed.isEmpty else { return taken }
        if taken.tooLate { self.tooLate += 1 }
        self.keepWithinMemory(device: device, in: self.events(of: device))
        return taken
    }

    /// Beyond ``maxFixes`` held, trims `device`'s tracks in `events` to an equal share of the total among the
    /// tracks (and `expecting` more to come).
    private mutating func keepWithinMemory(device: String, in events: [String], expecting: Int = 0) {
        let held = self.fixesHeld
        let tracks = self.events.values.reduce(0) { $0 + $1.tracks.count } + expecting
        let share = max(self.maxFixes / max(tracks, 1), 2)
        guard held > self.maxFixes || (expecting > 0 && held + expecting * share > self.maxFixes) else { return }
        for event in events {
            self.evicted += self.events[event]?.trim(device: device, to: share) ?? 0
        }
    }
}
