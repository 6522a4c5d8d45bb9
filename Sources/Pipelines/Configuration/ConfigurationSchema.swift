/// The keys of `pipelines.yaml` (snake_case) and the properties they set. A key missing here is an unknown key.
extension FlowrunConfiguration {
    typealias Field = ConfigurationField<FlowrunConfiguration>

    static var fields: [Field] {
        [
            .value("instance", \.instance, .consumerName),
            .section(
                "redis",
                \.redis,
                [.value("url", \.url, .url(schemes: ["redis"], example: "redis://127.0.0.1:16379"))]
            ),
            .section(
                "postgres",
                \.postgres,
                [
                    .value(
                        "url",
                        \.url,
                        .url(
                            schemes: ["postgresql", "postgres"],
                            example: "postgresql://flowrun@127.0.0.1:15432/flowrun",
                            requiresHost: false
                        )
                    ),
                    .value("chunk_interval", \.chunkInterval, .duration(positive: true)),
                    .value("compress_after", \.compressAfter, .durationOrOff),
                    .value("retention", \.retention, .durationOrOff),
                ]
            ),
            .section("http", \.http, [.value("port", \.port, .port)]),
            .section(
                "log",
                \.log,
                [.value("level", \.level, .oneOf(Log.Level.self)), .value("format", \.format, .oneOf(Log.Format.self))]
            ),
            .section("shutdown", \.shutdown, [.value("drain_timeout", \.drainTimeout, .duration(positive: false))]),
            .section(
                "faults",
                \.faults,
                [
                    .value("min_satellites", \.minSatellites, .nonNegative),
                    .value("max_ahead", \.maxAhead, .duration(positive: false)),
                    .value("max_speed", \.maxSpeed, .positiveNumber("speed in km/h")),
                    .value("reference_age", \.referenceAge, .duration(positive: false)),
                ]
            ),
            Field(key: "pipelines") { configuration, node, reader, path in
                reader.read(node, into: &configuration.pipelines, fields: Pipelines.fields, at: path, noun: "pipeline")
            },
        ]
    }
}

extension FlowrunConfiguration.Pipelines {
    typealias Field = ConfigurationField<Self>

    /// One section per known pipeline (``PipelineRegistry/kinds``). A pipeline whose section is present starts
    /// from its settings' `init()`, which are enabled.
    static var fields: [Field] {
        PipelineRegistry.kinds.map { $0.configurationSection }
    }
}

extension PipelineKind {
    /// This kind's section of `pipelines:`.
    static var configurationSection: ConfigurationField<FlowrunConfiguration.Pipelines> {
        ConfigurationField(key: Self.name) { pipelines, node, reader, path in
            var section = Settings()
            reader.read(node, into: &section, fields: Settings.fields, at: path)
            pipelines[Self.self] = section
        }
    }
}

extension FlowrunConfiguration.Pipelines.DurableWrite {
    public static var fields: [ConfigurationField<Self>] {
        [
            .value("enabled", \.enabled, .bool),
            .value("stream", \.stream, .nonEmpty("stream key")),
            .value("group", \.group, .nonEmpty("group name")),
            .value("start_at", \.startAt, .startPosition),
            .value("read_count", \.readCount, .count),
            .value("block", \.block, .duration(positive: true)),
            .value("claim_idle", \.claimIdle, .duration(positive: true)),
            .value("max_deliveries", \.maxDeliveries, .count),
            .value("dead_letter_stream", \.deadLetterStream, .optionalStream),
            .section(
                "batch",
                \.batch,
                [.value("max", \.max, .count), .value("within", \.within, .duration(positive: true))]
            ),
            .section("device_state", \.deviceState, [.value("capacity", \.capacity, .count)]),
            .value("writers", \.writers, .count),
        ]
    }
}

extension FlowrunConfiguration.Pipelines.LiveBroadcast {
    public static var fields: [ConfigurationField<Self>] {
        [
            .value("enabled", \.enabled, .bool),
            .value("stream", \.stream, .nonEmpty("stream key")),
            .value("timing_stream", \.timingStream, .nonEmpty("stream key")),
            .value("group_prefix", \.groupPrefix, .nonEmpty("group name prefix")),
            .value("port", \.port, .port),
            .value("cms_url", \.cmsURL, .url(schemes: ["http", "https"], example: "http://127.0.0.1:8055")),
            .value("cms_timeout", \.cmsTimeout, .duration(positive: true)),
            .value("refresh", \.refresh, .duration(positive: true)),
            .value("read_count", \.readCount, .count),
            .value("block", \.block, .duration(positive: true)),
            .value("client_queue", \.clientQueue, .count),
            .value("slow_client_timeout", \.slowClientTimeout, .duration(positive: true)),
            .value("flush_delay", \.flushDelay, .duration(positive: false)),
            .value("map_tiles", \.mapTiles, .tileTemplate),
            .value("map_tiles_attribution", \.mapTilesAttribution, .optionalText),
            .value("map_tiles_max_zoom", \.mapTilesMaxZoom, .zoom),
        ]
    }
}
