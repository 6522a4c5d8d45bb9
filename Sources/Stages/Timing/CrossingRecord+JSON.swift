extension CrossingRecord {
    /// The crossing as CONTRACT §6.5 writes it, in both the stream entry's `crossing` field and the live
    /// `crossing` frame: `{"entry_id","checkpoint_id","seq","device_id","ts"}`, keys in that order, `ts`
    /// ISO-8601 UTC with milliseconds and `Z`. The event is not part of it (the entry's `event_id` field, the
    /// frame's topic).
    ///
    /// ```json
    /// {"entry_id":"…","checkpoint_id":"…","seq":2,"device_id":"356307042441013","ts":"2026-05-02T16:36:52.123Z"}
    /// ```
    public var json: String {
        var json = "{\"entry_id\":"
        JSONString.append(self.entry, to: &json)
        json += ",\"checkpoint_id\":"
        JSONString.append(self.checkpoint, to: &json)
        json += ",\"seq\":\(self.seq),\"device_id\":"
        JSONString.append(self.device, to: &json)
        json += ",\"ts\":\"" + Timestamp.format(self.timestamp) + "\"}"
        return json
    }
}
