import Testing

@testable import Stages

@Suite(.timeLimit(.minutes(1)))
struct DeviceStateStoreTests {
    @Test func aPositionIsNewestOnlyWhenLaterThanAllItsDeviceHadBefore() {
        let store = DeviceStateStore(capacity: 10)
        #expect(store.observe(device: "a", timestamp: 100), "a device not held yet")
        #expect(store.observe(device: "a", timestamp: 200))
        #expect(!store.observe(device: "a", timestamp: 200), "a repeat of the latest")
        #expect(!store.observe(device: "a", timestamp: 150), "late, out of order")
        #expect(store.state(of: "a") == DeviceRecord(lastSeen: 200, count: 4), "lastSeen never moves back")
    }

    @Test func aSeededDeviceIsNewestOnlyPastItsLatestStoredPosition() {
        let store = DeviceStateStore(capacity: 10)
        store.seed("stored", lastSeen: 500)
        store.seed("never-stored", lastSeen: nil)
        #expect(!store.observe(device: "stored", timestamp: 500))
        #expect(store.observe(device: "stored", timestamp: 501))
        #expect(store.observe(device: "never-stored", timestamp: .min + 1))
    }

    @Test func anEvictedDeviceIsNewAgainAndTheEvictionIsCounted() {
        let store = DeviceStateStore(capacity: 1)
        #expect(store.observe(device: "a", timestamp: 100))
        #expect(store.observe(device: "b", timestamp: 100))
        #expect(store.evictions == 1)
        #expect(store.state(of: "a") == nil)
        // Without a seed from the table, the writer learns from a failed COPY that it was stored.
        #expect(store.observe(device: "a", timestamp: 50))
    }
}
