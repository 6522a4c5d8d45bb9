/// The `# HELP` text of every metric flowrun exports, by name. Add a line here with every new metric.
///
/// - Important: Help texts must not contain a backslash or a newline (they are written as they are).
enum MetricHelp {
    static let catalog: [String: String] = [
        // Flow, per stage (labels pipeline, stage).
        "flow_stage_items_in_total": "Items the stage took from its input.",
        "flow_stage_items_out_total": "Items the stage sent on.",
        "flow_stage_errors_total": "Items whose processing failed, by what happened to them (outcome).",
        "flow_stage_processing_seconds": "Time the stage spent per item, waiting for room downstream excluded.",
        "flow_stage_busy_seconds_total":
            "Time the stage spent on items in all, waiting for input or for room downstream excluded (its rate: the share of the time it works).",
        "flow_stage_queue_items": "Items waiting in the stage's input channel (a batch counts its items).",
        // The supervisor, per pipeline.
        "flowrun_pipeline_running":
            "1 while the pipeline runs and serves, 0 while it starts, drains or waits to restart.",
        "flowrun_pipeline_restarts_total": "Restarts of the pipeline after it failed (each one after a backoff).",
        // The positions table (PositionsSize), by chunk state.
        "flowrun_positions_bytes": "Bytes on disk of the positions table's chunks, by state: compressed, uncompressed.",
        "flowrun_positions_chunks": "Chunks of the positions table, by state: compressed, uncompressed.",
        // durable-write.
        "flowrun_positions_written_total": "Positions written, by result: inserted, duplicate, failed (retried).",
        "flowrun_write_batch_seconds": "Time to write one batch of positions to PostgreSQL.",
        "flowrun_dead_lettered_total": "Malformed entries moved to the dead-letter stream and acknowledged.",
        "flowrun_decode_errors_total": "Stream entries that could not be decoded, by reason.",
        "flowrun_device_state_devices": "Devices whose latest position is held in memory.",
        "flowrun_device_state_evictions_total": "Devices evicted from the in-memory device state.",
        // Both pipelines' flag-faults (CONTRACT §6.2).
        "flowrun_positions_faulty_total":
            "Positions judged faulty, by reason (the first rule broken): on arrival (durable-write, live-broadcast), in ts order when taken (race-timing).",
        "flowrun_fault_judge_devices": "Devices whose recent non-faulty fixes are held to judge jumps.",
        "flowrun_fault_judge_evictions_total": "Devices evicted from the fault judge's per-device fixes.",
        // live-broadcast.
        "flowrun_live_faulty_dropped_total": "Faulty positions not sent to browsers.",
        "flowrun_live_connections": "Open WebSocket connections.",
        "flowrun_live_subscriptions": "Subscriptions of connections to events, set up or being set up.",
        "flowrun_live_messages_sent_total": "WebSocket text frames written to clients.",
        "flowrun_live_positions_coalesced_total":
            "Positions replaced by a newer one of their device before a slow client got them.",
        "flowrun_live_positions_dropped_total":
            "Positions dropped because a slow client's queue was full of other devices.",
        "flowrun_live_flushes_total":
            "Socket flushes of WebSocket frames to clients; messages sent / flushes = frames per socket write.",
        "flowrun_live_slow_client_closes_total": "WebSocket connections closed for staying behind too long.",
        "flowrun_live_upgrades_total": "WebSocket upgrade requests, by result.",
        "flowrun_device_event_map_devices": "Devices in the device to race event map.",
        "flowrun_device_event_map_refresh_seconds": "Time to load the device to race event map.",
        "flowrun_device_event_map_refresh_failures_total": "Failed loads of the device to race event map.",
        "flowrun_cms_request_seconds": "Time of requests to the CMS, by call and outcome.",
        // race-timing.
        "flowrun_timing_too_late_total":
            "Positions more than late_window behind their device's newest, not timed (flowrun timing recompute is).",
        "flowrun_timing_window_fixes": "Positions held in race-timing's late window, all devices and events.",
        "flowrun_timing_window_evictions_total":
            "Positions let go from race-timing's late window by its memory limits.",
        "flowrun_timing_events": "Events timed (their course is valid).",
        "flowrun_timing_courses_invalid": "Events with checkpoints that break the course rules, not timed.",
        "flowrun_timing_registry_refresh_failures_total": "Failed reads of the courses and entries to time.",
        // The stream source of durable-write and race-timing (labels pipeline, and consumer for the gauges).
        "flowrun_stream_claimed_total":
            "Stream entries claimed from the consumer group's pending list (idle past claim_idle, XCLAIM).",
        "flowrun_stream_pending_entries":
            "Entries pending with each consumer of the pipeline's group, as its stream source last checked (XPENDING).",
        "flowrun_stream_pending_oldest_seconds":
            "How long each consumer's oldest pending entry has been idle, as the stream source last checked (XPENDING).",
        // Consumer groups (labels stream, group), from XINFO GROUPS.
        "flowrun_consumer_lag_entries": "Entries of the stream not yet delivered to the consumer group.",
        "flowrun_consumer_pending_entries": "Entries delivered to the consumer group and not yet acknowledged.",
    ]

    /// The help of `name`, or a placeholder that says it is missing from ``catalog``.
    static func text(for name: String) -> String {
        catalog[name] ?? "\(name) (no help text in flowrun's MetricHelp catalog)"
    }
}
