/// Which of a device's crossings count, by course order (CONTRACT §6.3).
///
/// From the device's crossings of each checkpoint (times in µs, not rounded): let c₂ be the first crossing of
/// checkpoint 2 that follows some crossing of the start; the counted start is the LAST start crossing before
/// c₂ (racers cross the start line before they start), and c₂ counts for checkpoint 2. Until there is a c₂,
/// the counted start is the latest start crossing. For k ≥ 3, the counted crossing of checkpoint k is the
/// FIRST crossing of it after the counted crossing of checkpoint k−1. A checkpoint missed leaves the later
/// ones uncounted. "After" and "before" are strict.
public enum CourseOrder {
    /// The counted crossing time of each checkpoint, nil where none counts.
    ///
    /// - Parameter crossings: per checkpoint in course order, the device's crossing times in ascending order.
    public static func counted(_ crossings: [[Double]]) -> [Double?] {
        var counted = [Double?](repeating: nil, count: crossings.count)
        guard let starts = crossings.first, let firstStart = starts.first else { return counted }
        guard crossings.count >= 2, let second = crossings[1].first(where: { $0 > firstStart }) else {
            counted[0] = starts.last
            return counted
        }
        counted[0] = starts.last(where: { $0 < second })
        counted[1] = second
        var previous = second
        for index in crossings.indices.dropFirst(2) {
            guard let next = crossings[index].first(where: { $0 > previous }) else { break }
            counted[index] = next
            previous = next
        }
        return counted
    }
}
