import CoreMetrics
import Pipelines
import Testing

/// The pure parts of `flowrun top`: reading Prometheus text, rates between two scrapes, the table.
@Suite(.timeLimit(.minutes(1))) struct TopTests {
    // MARK: - Prometheus text

    @Test func readsSamplesSkippingCommentsAndBlankLines() throws {
        let samples = try PrometheusText.parse(
            """
            # HELP flowrun_live_connections Open WebSocket connections.
            # TYPE flowrun_live_connections gauge
            flowrun_live_connections 3

              flow_stage_queue_items{pipeline="durable-write",stage="batch"} 12 1714667812123
            flow_stage_processing_seconds_bucket{pipeline="p", stage="s", le="+Inf",} 7\r
            x:y_z NaN
            """
        )
        try #require(samples.count == 4)
        #expect(samples[0] == MetricSample(name: "flowrun_live_connections", value: 3))
        #expect(
            samples[1]
                == MetricSample(
                    name: "flow_stage_queue_items",
                    labels: ["pipeline": "durable-write", "stage": "batch"],
                    value: 12
                )
        )
        #expect(samples[2].labels == ["pipeline": "p", "stage": "s", "le": "+Inf"])
        #expect(samples[2].value == 7)
        #expect(samples[3].name == "x:y_z")
        #expect(samples[3].value.isNaN)
    }

    @Test func unescapesLabelValues() throws {
        let samples = try PrometheusText.parse(#"m{a="say \"hi\"",b="back\\slash",c="two\nlines",d="}, ="} -Inf"#)
        #expect(
            samples == [
                MetricSample(
                    name: "m",
                    labels: ["a": #"say "hi""#, "b": #"back\slash"#, "c": "two\nlines", "d": "}, ="],
                    value: -.infinity
                )
            ]
        )
    }

    @Test(arguments: [
        ("m{a=\"x} 1", "line 2: a label value is not closed with '\"'"),
        ("m{a=x} 1", "line 2: expected '\"' after a="),
        ("m{a=\"x\" b=\"y\"} 1", "line 2: expected ',' or '}' after the value of label a"),
        ("m one", "line 2: 'one' is not a number"),
        ("m", "line 2: no value after m"),
        ("{a=\"x\"} 1", "line 2: expected a metric name at column 1"),
    ])
    func refusesWhatItCannotRead(line: String, message: String) {
        do {
            _ = try PrometheusText.parse("ok 1\n" + line)
            Issue.record("read \(line) without complaint")
        } catch {
            #expect(error.description == message)
        }
    }

    /// What flowrun's own `/metrics` writes reads back, label escaping included.
    @Test func readsWhatPrometheusMetricsWrites() throws {
        let metrics = PrometheusMetrics()
        Counter(
            label: "flowrun_test_events_total",
            dimensions: [("kind", #"a "quoted" \ one"#)],
            factory: metrics.factory
        )
        .increment(by: 5)
        CoreMetrics.Timer(label: "flowrun_test_request_seconds", factory: metrics.factory)
            .record(duration: .milliseconds(3))
        let snapshot = try MetricsSnapshot(parsing: String(decoding: metrics.exposition(), as: UTF8.self))
        #expect(snapshot.value("flowrun_test_events_total", ["kind": #"a "quoted" \ one"#]) == 5)
        #expect(snapshot.value("flowrun_test_request_seconds_count") == 1)
        #expect(snapshot.value("flowrun_test_request_seconds_bucket", ["le": "+Inf"]) == 1)
        // One observation in (2.5 ms, 5 ms]: halfway through that bucket.
        let median = try #require(snapshot.quantile(0.5, ofHistogram: "flowrun_test_request_seconds"))
        #expect(abs(median - 0.00375) < 1e-12)
    }

    // MARK: - Rates and quantiles

    @Test func increaseSumsSeriesAndCountsAResetOrANewSeriesFromZero() throws {
        let before = try MetricsSnapshot(parsing: "c{k=\"a\"} 10\nc{k=\"b\"} 50\n")
        let after = try MetricsSnapshot(parsing: "c{k=\"a\"} 25\nc{k=\"b\"} 4\nc{k=\"c\"} 2\n")
        #expect(after.increase("c", matching: ["k": "a"], since: before) == 15)
        #expect(after.increase("c", since: before) == 21)  // 15, reset to 4, new at 2
        #expect(after.increase("absent", since: before) == nil)
        #expect(after.sum("c") == 31)
    }

    @Test func medianOfTheIntervalIsInterpolatedInItsBucket() throws {
        let before = try MetricsSnapshot(parsing: Self.histogram(["0.001": 100, "0.01": 100, "+Inf": 100]))
        // In the interval: 10 observations ≤ 1 ms, 30 in (1 ms, 10 ms], none above.
        let after = try MetricsSnapshot(parsing: Self.histogram(["0.001": 110, "0.01": 140, "+Inf": 140]))
        let median = try #require(after.quantile(0.5, ofHistogram: "h", since: before))
        #expect(abs(median - (0.001 + 0.009 * 10 / 30)) < 1e-12)
        // Since the start: 110 of 140 ≤ 1 ms.
        #expect(try #require(after.quantile(0.5, ofHistogram: "h")) < 0.001)
        #expect(after.quantile(0.5, ofHistogram: "h", since: after) == nil)  // nothing observed
        let slow = try MetricsSnapshot(parsing: Self.histogram(["0.001": 0, "0.01": 0, "+Inf": 5]))
        #expect(slow.quantile(0.5, ofHistogram: "h") == 0.01)  // in +Inf: the highest finite bound
    }

    private static func histogram(_ buckets: [String: Int]) -> String {
        buckets.map { "h_bucket{le=\"\($0.key)\"} \($0.value)" }.joined(separator: "\n")
    }

    // MARK: - The table

    static let first = """
        flow_stage_items_in_total{pipeline="durable-write",stage="decode"} 1000
        flow_stage_items_out_total{pipeline="durable-write",stage="decode"} 990
        flow_stage_items_out_total{pipeline="durable-write",stage="stream-source"} 1000
        flow_stage_errors_total{pipeline="durable-write",stage="decode",outcome="dead_lettered"} 10
        flow_stage_errors_total{pipeline="durable-write",stage="decode",outcome="stopped"} 0
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="0.0001"} 900
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="0.001"} 1000
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="+Inf"} 1000
        flow_stage_busy_seconds_total{pipeline="durable-write",stage="decode"} 0.25
        flow_stage_items_in_total{pipeline="live-broadcast",stage="fan-out"} 7
        flowrun_positions_written_total{pipeline="durable-write",result="inserted"} 900
        flowrun_positions_written_total{pipeline="durable-write",result="duplicate"} 90
        """

    static let second = """
        flow_stage_items_in_total{pipeline="durable-write",stage="decode"} 3000
        flow_stage_items_out_total{pipeline="durable-write",stage="decode"} 2980
        flow_stage_items_out_total{pipeline="durable-write",stage="stream-source"} 3000
        flow_stage_queue_items{pipeline="durable-write",stage="decode"} 4
        flow_stage_queue_items{pipeline="durable-write",stage="acknowledge"} 0
        flow_stage_errors_total{pipeline="durable-write",stage="decode",outcome="dead_lettered"} 12
        flow_stage_errors_total{pipeline="durable-write",stage="decode",outcome="stopped"} 0
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="0.0001"} 1900
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="0.001"} 3000
        flow_stage_processing_seconds_bucket{pipeline="durable-write",stage="decode",le="+Inf"} 3000
        flow_stage_busy_seconds_total{pipeline="durable-write",stage="decode"} 1.75
        flow_stage_items_in_total{pipeline="live-broadcast",stage="fan-out"} 7
        flow_stage_items_in_total{pipeline="another",stage="x"} 1
        flowrun_positions_written_total{pipeline="durable-write",result="inserted"} 2880
        flowrun_positions_written_total{pipeline="durable-write",result="duplicate"} 100
        flowrun_consumer_lag_entries{stream="telemetry:t",group="processor"} 17
        flowrun_consumer_pending_entries{stream="telemetry:t",group="processor"} 250
        flowrun_consumer_pending_entries{stream="telemetry:t",group="live-broadcast-a"} 0
        flowrun_live_connections 2
        """

    @Test func ratesQueuesErrorsAndMedianFromTwoScrapes() throws {
        let table = TopTable(
            previous: try MetricsSnapshot(parsing: Self.first),
            current: try MetricsSnapshot(parsing: Self.second),
            seconds: 2,
            stageOrder: ["durable-write": ["stream-source", "decode", "acknowledge"]]
        )
        #expect(table.pipelines.map(\.name) == ["durable-write", "live-broadcast", "another"])
        let durable = table.pipelines[0].stages
        #expect(durable.map(\.name) == ["stream-source", "decode", "acknowledge"])
        let decode = durable[1]
        #expect(decode.inPerSecond == 1000)
        #expect(decode.outPerSecond == 995)
        #expect(decode.queue == 4)
        #expect(decode.errors == 12)
        #expect(decode.errorsPerSecond == 1)
        // 2000 observations in the interval, 1000 ≤ 100 µs, the lowest bucket: the median is at most that.
        #expect(decode.p50Seconds == 0.0001)
        #expect(decode.p50IsUpperBound)
        #expect(decode.busy == 0.75, "1.5 s of 2 s spent on items")
        #expect(durable[0].busy == nil)
        #expect(durable[0].inPerSecond == nil)
        #expect(durable[2].outPerSecond == nil)
        #expect(table.pipelines[1].stages[0].inPerSecond == 0)
        #expect(table.consumerGroups.map(\.group) == ["live-broadcast-a", "processor"])
        #expect(table.consumerGroups[0].lag == nil)
        #expect(table.consumerGroups[1].lag == 17)
        #expect(table.consumerGroups[1].pending == 250)
        #expect(table.liveConnections == 2)
        #expect(table.positionsWritten == 2980)
        #expect(table.positionsWrittenPerSecond == 995)
    }

    @Test func rendersAlignedColumns() throws {
        let table = TopTable(
            previous: try MetricsSnapshot(parsing: Self.first),
            current: try MetricsSnapshot(parsing: Self.second),
            seconds: 2,
            stageOrder: ["durable-write": ["stream-source", "decode", "acknowledge"]]
        )
        #expect(
            table.render() == """
                PIPELINE / STAGE  IN/S  OUT/S  QUEUE  ERRORS  ERRORS/S     P50  BUSY
                durable-write
                  stream-source      -   1000      -       -         -       -     -
                  decode          1000    995      4      12       1.0  ≤100µs   75%
                  acknowledge        -      -      0       -         -       -     -
                live-broadcast
                  fan-out            0      -      -       -         -       -     -
                another
                  x                0.5      -      -       -         -       -     -

                STREAM       CONSUMER GROUP    LAG  PENDING
                telemetry:t  live-broadcast-a    -        0
                telemetry:t  processor          17      250

                live connections: 2    positions written: 995/s (2980 in all)

                """
        )
    }

    @Test func showsPendingEntriesPerConsumer_asTheStreamSourcesLastChecked() throws {
        let scrape = """
            flowrun_consumer_pending_entries{stream="telemetry:t",group="processor"} 18250
            flowrun_stream_pending_entries{pipeline="race-timing",consumer="a"} 3
            flowrun_stream_pending_entries{pipeline="durable-write",consumer="b"} 250
            flowrun_stream_pending_entries{pipeline="durable-write",consumer="a"} 18000
            flowrun_stream_pending_oldest_seconds{pipeline="durable-write",consumer="a"} 41.4
            flowrun_stream_pending_oldest_seconds{pipeline="durable-write",consumer="b"} 0.2
            """
        let table = TopTable(previous: nil, current: try MetricsSnapshot(parsing: scrape), seconds: 0)
        #expect(
            table.consumers.map { "\($0.pipeline) \($0.consumer)" } == [
                "durable-write a", "durable-write b", "race-timing a",
            ]
        )
        #expect(table.consumers[0].pending == 18000 && table.consumers[0].oldestSeconds == 41.4)
        #expect(table.consumers[2].oldestSeconds == nil)
        let text = table.render()
        #expect(
            text.contains(
                """
                PIPELINE       CONSUMER  PENDING  OLDEST
                durable-write  a           18000     41s
                durable-write  b             250      0s
                race-timing    a               3       -

                """
            ),
            "\(text)"
        )
    }

    @Test func withoutAPreviousScrapeThereAreNoRates() throws {
        let table = TopTable(previous: nil, current: try MetricsSnapshot(parsing: Self.second), seconds: 0)
        #expect(table.pipelines[0].stages.allSatisfy { $0.inPerSecond == nil && $0.p50Seconds == nil })
        #expect(table.pipelines[0].stages.map(\.name) == ["acknowledge", "decode", "stream-source"])  // by name
        let empty = TopTable(previous: nil, current: MetricsSnapshot([]), seconds: 0).render()
        #expect(empty.hasPrefix("no flow_stage metrics in this scrape"))
    }

    @Test func showsEachPipelinesState_alsoOneThatNeverStarted() throws {
        let scrape = """
            flow_stage_items_in_total{pipeline="durable-write",stage="decode"} 10
            flowrun_pipeline_running{pipeline="durable-write"} 1
            flowrun_pipeline_restarts_total{pipeline="durable-write"} 0
            flowrun_pipeline_running{pipeline="live-broadcast"} 0
            flowrun_pipeline_restarts_total{pipeline="live-broadcast"} 3
            """
        let table = TopTable(previous: nil, current: try MetricsSnapshot(parsing: scrape), seconds: 0)
        #expect(table.pipelines.map(\.name) == ["durable-write", "live-broadcast"])
        #expect(table.pipelines[1].running == 0 && table.pipelines[1].restarts == 3)
        let text = table.render()
        #expect(text.contains("durable-write (running)\n"), "\(text)")
        #expect(text.contains("live-broadcast (not running, 3 restarts)\n"), "\(text)")
    }
}
