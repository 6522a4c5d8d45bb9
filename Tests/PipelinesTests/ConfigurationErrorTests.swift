import Foundation
import Pipelines
import Testing

@Suite("Configuration errors", .timeLimit(.minutes(1)))
struct ConfigurationErrorTests {
    @Test("a wrong value names file, line, column, key path, what was expected and what was found")
    func wrongValue() {
        let yaml = """
            pipelines:
              durable-write:
                batch:
                  max: five
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:4:12: pipelines.durable-write.batch.max: expected a whole number ≥ 1, found \"five\""
            ]
        )
    }

    @Test("a problem carries its parts apart from its printed form")
    func problemParts() throws {
        do {
            _ = try load("http:\n  port: 70000\n")
            Issue.record("expected an error")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.file == "pipelines.yaml")
            #expect(problem.line == 2)
            #expect(problem.column == 9)
            #expect(problem.keyPath == "http.port")
            #expect(problem.message == "expected a port number from 0 to 65535, found \"70000\"")
            #expect(error.description == "pipelines.yaml:2:9: http.port: " + problem.message)
        }
    }

    @Test("an unknown key suggests the closest known key")
    func unknownKeySuggestsClosest() {
        let yaml = """
            pipelines:
              durable-write:
                bach:
                  max: 5
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:3:5: pipelines.durable-write.bach: unknown key 'bach'; did you mean 'batch'?"
            ]
        )
        #expect(
            problems(in: "redis:\n  URL: redis://x\nhttp:\n  prot: 1\nlog:\n  Level: info\n") == [
                "pipelines.yaml:2:3: redis.URL: unknown key 'URL'; did you mean 'url'?",
                "pipelines.yaml:4:3: http.prot: unknown key 'prot'; did you mean 'port'?",
                "pipelines.yaml:6:3: log.Level: unknown key 'Level'; did you mean 'level'?",
            ]
        )
        #expect(
            problems(in: "faults:\n  max-speed: 200\n  satellites: 3\n") == [
                "pipelines.yaml:2:3: faults.max-speed: unknown key 'max-speed'; did you mean 'max_speed'?",
                "pipelines.yaml:3:3: faults.satellites: unknown key 'satellites' "
                    + "(known keys: min_satellites, max_ahead, max_speed, reference_age)",
            ]
        )
        #expect(
            problems(in: "pipelines:\n  durable-write:\n    read-count: 5\n") == [
                "pipelines.yaml:3:5: pipelines.durable-write.read-count: unknown key 'read-count'; "
                    + "did you mean 'read_count'?"
            ]
        )
    }

    @Test("an unknown key with nothing close lists the known keys")
    func unknownKeyListsKnownKeys() {
        #expect(
            problems(in: "shutdown:\n  grace: 5s\n") == [
                "pipelines.yaml:2:3: shutdown.grace: unknown key 'grace' (known keys: drain_timeout)"
            ]
        )
        #expect(
            problems(in: "tracing: on\n") == [
                "pipelines.yaml:1:1: tracing: unknown key 'tracing' "
                    + "(known keys: instance, redis, postgres, http, log, shutdown, faults, pipelines)"
            ]
        )
    }

    @Test("an unknown pipeline lists the known ones, and suggests the closest")
    func unknownPipeline() {
        let yaml = """
            pipelines:
              durable_writer: {}
              geofence:
                enabled: true
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:2:3: pipelines.durable_writer: unknown pipeline 'durable_writer'; "
                    + "did you mean 'durable-write'? (known pipelines: durable-write, live-broadcast, race-timing)",
                "pipelines.yaml:3:3: pipelines.geofence: unknown pipeline 'geofence' "
                    + "(known pipelines: durable-write, live-broadcast, race-timing)",
            ]
        )
    }

    @Test("a scalar where a mapping belongs, and a mapping or list where a value belongs")
    func wrongShapes() {
        let yaml = """
            redis: redis://127.0.0.1:6379
            http:
              port: [9090]
            log:
              level: {name: info}
            pipelines: [durable-write]
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:1:8: redis: expected a mapping (keys: url), found \"redis://127.0.0.1:6379\"",
                "pipelines.yaml:3:9: http.port: expected a port number from 0 to 65535, found a list",
                "pipelines.yaml:5:10: log.level: expected one of trace, debug, info, notice, warning, error, "
                    + "critical, found a mapping",
                "pipelines.yaml:6:12: pipelines: expected a mapping (pipelines: durable-write, live-broadcast, race-timing), "
                    + "found a list",
            ]
        )
    }

    @Test("a value left empty is an error, not the default")
    func nullValue() {
        #expect(
            problems(in: "pipelines:\n  durable-write:\n    block:\n    group: ~\n") == [
                "pipelines.yaml:3:11: pipelines.durable-write.block: expected a duration greater than zero like "
                    + "250ms, 1.5s, 2m or 1h (units ms, s, m, h), found null",
                "pipelines.yaml:4:12: pipelines.durable-write.group: expected a non-empty group name, found null",
            ]
        )
    }

    @Test("a document that is not a mapping, and a key that is not a name")
    func wrongDocumentShape() {
        #expect(
            problems(in: "- durable-write\n") == [
                "pipelines.yaml:1:1: expected a mapping (keys: instance, redis, postgres, http, log, shutdown, "
                    + "faults, pipelines), found a list"
            ]
        )
        #expect(
            problems(in: "? [a, b]\n: c\n") == ["pipelines.yaml:1:3: expected a key name, found a list"]
        )
    }

    @Test("every problem of a file is reported, in the file's order")
    func collectsAllProblems() {
        let yaml = """
            instance: ${INSTANCE_ID}
            redis:
              url: localhost
            http:
              port: 99999
            pipelines:
              durable-write:
                block: 1 s
                batch:
                  max: 0
                  wihtin: 20ms
              live-broadcast:
                refresh: 30sec
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:1:11: instance: environment variable INSTANCE_ID is not set; set it, "
                    + "or give a default with ${INSTANCE_ID:-default}",
                "pipelines.yaml:3:8: redis.url: expected a redis:// URL like redis://127.0.0.1:16379, "
                    + "found \"localhost\"",
                "pipelines.yaml:5:9: http.port: expected a port number from 0 to 65535, found \"99999\"",
                "pipelines.yaml:8:12: pipelines.durable-write.block: expected a duration greater than zero like "
                    + "250ms, 1.5s, 2m or 1h (units ms, s, m, h), found \"1 s\"",
                "pipelines.yaml:10:12: pipelines.durable-write.batch.max: expected a whole number ≥ 1, found \"0\"",
                "pipelines.yaml:11:7: pipelines.durable-write.batch.wihtin: unknown key 'wihtin'; "
                    + "did you mean 'within'?",
                "pipelines.yaml:13:14: pipelines.live-broadcast.refresh: expected a duration greater than zero "
                    + "like 250ms, 1.5s, 2m or 1h (units ms, s, m, h), found \"30sec\"",
            ]
        )
    }

    @Test(
        "a YAML syntax error is reported at the line and column Yams gives",
        arguments: [
            (
                "http:\n  port: 9090\n   log: info\n",
                "3:7: invalid YAML: mapping values are not allowed in this context"
            ),
            (
                "log: {level: info\n",
                "2:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1, column 6)"
            ),
            (
                "log: {}\n---\nhttp: {}\n",
                "2:1: invalid YAML: expected a single document in the stream, but found another document"
            ),
            ("instance: *id\n", "1:11: invalid YAML: found undefined alias"),
            ("instance: \u{7}\n", "1:11: invalid YAML: control characters are not allowed"),
        ]
    )
    func syntaxError(yaml: String, problem: String) {
        #expect(problems(in: yaml) == ["pipelines.yaml:" + problem])
    }

    @Test("a key given twice in one mapping is an error")
    func duplicateKey() {
        #expect(
            problems(in: "log:\n  level: info\n  level: debug\n") == [
                "pipelines.yaml:2:3: invalid YAML: duplicate key 'level' in one mapping"
            ]
        )
    }

    @Test("a missing file and a directory are errors naming the path")
    func missingAndUnreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowrun-configuration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let missing = directory.appendingPathComponent("missing.yaml").path
        #expect(loadProblems(path: missing) == ["\(missing): no such file; pass the path of a pipelines.yaml"])
        #expect(loadProblems(path: directory.path) == ["\(directory.path): is a directory, not a configuration file"])

        let latin1 = directory.appendingPathComponent("latin1.yaml")
        try Data([0x69, 0x3A, 0x20, 0xE9, 0x0A]).write(to: latin1)
        #expect(loadProblems(path: latin1.path) == ["\(latin1.path): is not UTF-8 text"])

        let file = directory.appendingPathComponent("pipelines.yaml")
        try Data("pipelines:\n  durable-write:\n    batch:\n      max: five\n".utf8).write(to: file)
        #expect(
            loadProblems(path: file.path) == [
                "\(file.path):4:12: pipelines.durable-write.batch.max: expected a whole number ≥ 1, found \"five\""
            ]
        )
    }

    private func loadProblems(path: String) -> [String] {
        do {
            _ = try ConfigurationLoader.load(path: path, environment: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
