import Flow

/// Drops a position older than the newest already sent on for its device, or a repeat of it, so that a marker
/// on a map never jumps back (CONTRACT §5). live-broadcast's `drop-stale`.
///
/// - Important: Run serially (its default): which position of a device is newest depends on the order the
///   positions pass.
public struct DropStale: ItemStage {
    public var options = ItemOptions<PositionEntry>()
    let newest: DeviceStateStore

    /// - Parameter newest: each device's newest position time sent on.
    public init(newest: DeviceStateStore = DeviceStateStore()) {
        self.newest = newest
    }

    public func process(_ entry: PositionEntry, into output: inout [PositionEntry], context: StageContext) {
        if self.newest.advance(device: entry.position.deviceID, timestamp: entry.position.timestamp) {
            output.append(entry)
        }
    }
}
