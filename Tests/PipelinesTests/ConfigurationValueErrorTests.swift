import Foundation
import Pipelines
import Testing

@Suite("Configuration value errors", .timeLimit(.minutes(1)))
struct ConfigurationValueErrorTests {
    @Test(
        "each kind of value says the form it accepts",
        arguments: [
            ("http:\n  port: -1\n", "2:9: http.port: expected a port number from 0 to 65535, found \"-1\""),
            ("http:\n  port: 80.5\n", "2:9: http.port: expected a port number from 0 to 65535, found \"80.5\""),
            (
                "pipelines:\n  durable-write:\n    writers: 0\n",
                "3:14: pipelines.durable-write.writers: expected a whole number ≥ 1, found \"0\""
            ),
            (
                "faults:\n  min_satellites: -1\n",
                "2:19: faults.min_satellites: expected a whole number ≥ 0, found \"-1\""
            ),
            (
                "faults:\n  max_speed: 0\n",
                "2:14: faults.max_speed: expected a number greater than zero (speed in km/h) like 300 or 120.5, "
                    + "found \"0\""
            ),
            (
                "faults:\n  max_speed: fast\n",
                "2:14: faults.max_speed: expected a number greater than zero (speed in km/h) like 300 or 120.5, "
                    + "found \"fast\""
            ),
            (
                "faults:\n  reference_age: 60\n",
                "2:18: faults.reference_age: expected a duration like 250ms, 1.5s, 2m or 1h (units ms, s, m, h), "
                    + "found \"60\""
            ),
            (
                "shutdown:\n  drain_timeout: 30\n",
                "2:18: shutdown.drain_timeout: expected a duration like 250ms, 1.5s, 2m or 1h (units ms, s, m, h), "
                    + "found \"30\""
            ),
            (
                "shutdown:\n  drain_timeout: -5s\n",
                "2:18: shutdown.drain_timeout: expected a duration like 250ms, 1.5s, 2m or 1h (units ms, s, m, h), "
                    + "found \"-5s\""
            ),
            (
                "pipelines:\n  durable-write:\n    block: 0s\n",
                "3:12: pipelines.durable-write.block: expected a duration greater than zero like 250ms, 1.5s, 2m "
                    + "or 1h (units ms, s, m, h), found \"0s\""
            ),
            (
                "redis:\n  url: http://127.0.0.1:6379\n",
                "2:8: redis.url: expected a redis:// URL like redis://127.0.0.1:16379, found \"http://127.0.0.1:6379\""
            ),
            (
                "redis:\n  url: redis://\n",
                "2:8: redis.url: expected a redis:// URL like redis://127.0.0.1:16379, found \"redis://\""
            ),
            (
                "postgres:\n  url: mysql://root:hunter2@db/x\n",
                "2:8: postgres.url: expected a postgresql:// or postgres:// URL like "
                    + "postgresql://flowrun@127.0.0.1:15432/flowrun, found \"mysql://root:***@db/x\""
            ),
            (
                "postgres:\n  chunk_interval: 0h\n",
                "2:19: postgres.chunk_interval: expected a duration greater than zero like 250ms, 1.5s, 2m or 1h "
                    + "(units ms, s, m, h), found \"0h\""
            ),
            (
                "postgres:\n  retention: 90 days\n",
                "2:14: postgres.retention: expected off, or a duration greater than zero like 12h, 7d or 90d "
                    + "(units ms, s, m, h, d), found \"90 days\""
            ),
            (
                "pipelines:\n  live-broadcast:\n    cms_url: ftp://cms\n",
                "3:14: pipelines.live-broadcast.cms_url: expected a http:// or https:// URL like "
                    + "http://127.0.0.1:8055, found \"ftp://cms\""
            ),
            (
                "pipelines:\n  live-broadcast:\n    map_tiles: https://tiles.example.org/{z}/{x}.png\n",
                "3:16: pipelines.live-broadcast.map_tiles: expected an http:// or https:// URL with {z}, {x} and {y}, "
                    + "like http://tiles.example.org/{z}/{x}/{y}.png, found \"https://tiles.example.org/{z}/{x}.png\""
            ),
            (
                "pipelines:\n  live-broadcast:\n    map_tiles: /tiles/{z}/{x}/{y}.png\n",
                "3:16: pipelines.live-broadcast.map_tiles: expected an http:// or https:// URL with {z}, {x} and {y}, "
                    + "like http://tiles.example.org/{z}/{x}/{y}.png, found \"/tiles/{z}/{x}/{y}.png\""
            ),
            (
                "pipelines:\n  live-broadcast:\n    map_tiles_max_zoom: 25\n",
                "3:25: pipelines.live-broadcast.map_tiles_max_zoom: expected a zoom level from 0 to 24, found \"25\""
            ),
            (
                "log:\n  level: verbose\n",
                "2:10: log.level: expected one of trace, debug, info, notice, warning, error, critical, "
                    + "found \"verbose\""
            ),
            ("log:\n  format: yaml\n", "2:11: log.format: expected text or json, found \"yaml\""),
            (
                "pipelines:\n  durable-write:\n    start_at: latest\n",
                "3:15: pipelines.durable-write.start_at: expected beginning, end, or a stream id like "
                    + "1714667812123-0, found \"latest\""
            ),
            (
                "pipelines:\n  durable-write:\n    start_at: 1714667812123\n",
                "3:15: pipelines.durable-write.start_at: expected beginning, end, or a stream id like "
                    + "1714667812123-0, found \"1714667812123\""
            ),
            (
                "pipelines:\n  durable-write:\n    enabled: yes\n",
                "3:14: pipelines.durable-write.enabled: expected true or false, found \"yes\""
            ),
            (
                "instance: local 1\n",
                "1:11: instance: expected a non-empty name without spaces, e.g. processor-1, found \"local 1\""
            ),
            (
                "pipelines:\n  durable-write:\n    stream: ''\n",
                "3:13: pipelines.durable-write.stream: expected a non-empty stream key, found \"\""
            ),
        ]
    )
    func valueKinds(yaml: String, problem: String) {
        #expect(problems(in: yaml) == ["pipelines.yaml:" + problem])
    }

    @Test("a wrong value that came from the environment shows the value and where it came from")
    func wrongInterpolatedValue() {
        #expect(
            problems(in: "http:\n  port: ${HTTP_PORT:-9090}\n", environment: ["HTTP_PORT": "nine"]) == [
                "pipelines.yaml:2:9: http.port: expected a port number from 0 to 65535, "
                    + "found \"nine\" (from \"${HTTP_PORT:-9090}\")"
            ]
        )
    }

    @Test("a URL's password never appears in a message")
    func passwordIsRedacted() {
        let found = problems(in: "redis:\n  url: ${REDIS_URL}\n", environment: ["REDIS_URL": "redis://:s3cret@"])
        #expect(found.count == 1)
        #expect(!found.joined().contains("s3cret"))
        #expect(found.first?.contains("redis://:***@") == true)
        #expect(
            problems(in: "redis:\n  url: redis://app:hunter2@${HOST:-}\n") == [
                "pipelines.yaml:2:8: redis.url: expected a redis:// URL like redis://127.0.0.1:16379, "
                    + "found \"redis://app:***@\" (from \"redis://app:***@${HOST:-}\")"
            ]
        )
    }
}
