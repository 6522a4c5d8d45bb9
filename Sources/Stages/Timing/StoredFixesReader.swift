/// Reads the stored fixes of many devices (an event's, for its rebuild) a page at a time and gives them one
/// whole device at a time: every device asked for exactly once, those with nothing stored with no fixes.
///
/// Devices are read in groups of ``groupSize`` (one statement names them all), each group a page of at most
/// ``pageLimit`` fixes at a time (the next page naming the group's devices not read whole yet), so a rebuild makes a few statements for thousands of devices while what it
/// holds stays bounded: the page being timed, the next one (read while this one is timed, so that the server
/// and the stage work at once), and the fixes of the one device that goes on from one page to the next.
public struct StoredFixesReader: Sendable {
    /// Reads the page of `devices` after `cursor` (nil: the first): ``TimingStore/storedFixes(of:from:to:after:limit:)``.
    public typealias Read =
        @Sendable (_ devices: [String], _ cursor: StoredFixesPage.Cursor?) async throws ->
        StoredFixesPage

    /// Devices named by one statement.
    public static let groupSize = 1_000
    /// Fixes in one page.
    public static let pageLimit = 10_000

    private let groups: [[String]]
    private let read: Read
    /// The group whose page is being read.
    private var group = 0
    private var reading: Task<StoredFixesPage, any Error>?
    /// Devices to give, whole.
    private var ready: [StoredFixesPage.Run] = []
    private var given = 0
    /// The last device of the previous page, which may go on in the next one.
    private var carried: StoredFixesPage.Run?
    /// The current group's devices not given yet.
    private var unseen: Set<String> = []

    /// - Parameter read: reads a page of at most ``pageLimit`` fixes (``TimingStore/storedFixes(of:from:to:after:limit:)``).
    public init(devices: [String], groupSize: Int = Self.groupSize, read: @escaping Read) {
        let size = max(groupSize, 1)
        self.groups = stride(from: 0, to: devices.count, by: size).map {
            Array(devices[$0..<min($0 + size, devices.count)])
        }
        self.read = read
        self.startReading(after: nil)
    }

    /// The next device and its stored fixes in `ts` order; nil when every device was given.
    public mutating func next() async throws -> StoredFixesPage.Run? {
        while true {
            if self.given < self.ready.count {
                defer { self.given += 1 }
                return self.ready[self.given]
            }
            guard let reading = self.reading else { return nil }
            // The read is its own task (it runs ahead): a rebuild cancelled while waiting cancels it too.
            let page = try await withTaskCancellationHandler {
                try await reading.value
            } onCancel: {
                reading.cancel()
            }
            self.reading = nil
            try self.take(page)
        }
    }

    /// Stops the read under way, if any (the rebuild ends early).
    public func cancel() { self.reading?.cancel() }

    private mutating func startReading(after cursor: StoredFixesPage.Cursor?) {
        guard self.group < self.groups.count else { return }
        var devices = self.groups[self.group]
        if cursor == nil {
            self.unseen = Set(devices)
        } else {
            // Those not read whole yet: the one the cursor is in, and those after it.
            devices.removeAll { !self.unseen.contains($0) }
        }
        let read = self.read
        self.reading = Task { try await read(devices, cursor) }
    }

    private mutating func take(_ page: StoredFixesPage) throws(OutOfOrder) {
        self.ready.removeAll(keepingCapacity: true)
        self.given = 0
        var runs = page.runs[...]
        if var carried = self.carried.take() {
            if runs.first?.device == carried.device { carried.fixes += runs.removeFirst().fixes }
            if runs.isEmpty && page.next != nil {
                self.carried = carried
            } else {
                try self.give(carried)
            }
        }
        if page.next != nil, let last = runs.popLast() { self.carried = last }
        for run in runs { try self.give(run) }
        if page.next == nil {
            // The group is read: its devices with nothing stored are given with no fixes, in the order asked.
            for device in self.groups[self.group] where self.unseen.contains(device) {
                self.ready.append(StoredFixesPage.Run(device: device, fixes: []))
            }
            self.unseen = []
            self.group += 1
        }
        self.startReading(after: page.next)
    }

    private mutating func give(_ run: StoredFixesPage.Run) throws(OutOfOrder) {
        guard self.unseen.remove(run.device) != nil else { throw OutOfOrder(device: run.device) }
        self.ready.append(run)
    }

    /// A store gave fixes of a device not asked for, or of one device apart from each other: nothing is
    /// timed from a read that may have lost or doubled fixes.
    public struct OutOfOrder: Error, CustomStringConvertible {
        public var device: String
        public var description: String {
            "the store gave stored fixes of device \(self.device) out of order (not asked for, or not together)"
        }
    }
}
