extension ThrowingTaskGroup where ChildTaskResult == Void {
    /// Waits for every child, but rethrows the first error at once; leaving the group's body by throwing
    /// then cancels the other children.
    ///
    /// `waitForAll()` is not that: it waits for all children before rethrowing and cancels none of them,
    /// so one failing stage would leave its neighbours waiting forever on each other.
    @inlinable
    public mutating func waitForAllOrFirstError() async throws {
        while try await self.next() != nil {}
    }
}
