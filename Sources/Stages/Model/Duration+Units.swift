extension Duration {
    /// Whole milliseconds, at least 1 for a positive duration (Redis' `BLOCK` and idle times).
    var milliseconds: Int64 {
        let ms = self.microseconds / 1000
        return self > .zero ? max(ms, 1) : ms
    }

    /// Whole microseconds (position times, socket timeouts).
    var microseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
