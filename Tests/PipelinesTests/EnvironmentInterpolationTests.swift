import Foundation
import Pipelines
import Testing

@Suite("Environment interpolation", .timeLimit(.minutes(1)))
struct EnvironmentInterpolationTests {
    @Test("${NAME} takes the variable's value")
    func variableIsReplaced() throws {
        let configuration = try load("instance: ${INSTANCE_ID}\n", environment: ["INSTANCE_ID": "processor-3"])
        #expect(configuration.instance == "processor-3")
    }

    @Test("${NAME:-default} takes the default when the variable is unset")
    func defaultWhenUnset() throws {
        #expect(try load("http:\n  port: ${HTTP_PORT:-9191}\n").http.port == 9191)
        #expect(try load("http:\n  port: ${HTTP_PORT:-9191}\n", environment: ["HTTP_PORT": "80"]).http.port == 80)
    }

    @Test("${NAME:-default} takes the default when the variable is set but empty, like the shell")
    func defaultWhenEmpty() throws {
        #expect(
            try load("instance: ${INSTANCE_ID:-fallback}\n", environment: ["INSTANCE_ID": ""]).instance == "fallback"
        )
    }

    @Test("a default may hold references: the first variable set wins, the innermost default last")
    func nestedDefaults() throws {
        let yaml = "http:\n  port: ${HTTP_PORT:-${METRICS_PORT:-9191}}\n"
        #expect(try load(yaml).http.port == 9191)
        #expect(try load(yaml, environment: ["METRICS_PORT": "9300"]).http.port == 9300)
        #expect(try load(yaml, environment: ["METRICS_PORT": "9300", "HTTP_PORT": "80"]).http.port == 80)
        let instance = "instance: ${A:-${B:-x$y}-${C:-c}}-z\n"
        #expect(try load(instance).instance == "x$y-c-z")  // a default without a reference stays literal
        #expect(try load(instance, environment: ["B": "b"]).instance == "b-c-z")
        #expect(try load(instance, environment: ["A": "a"]).instance == "a-z")
    }

    @Test("a reference in a default that is not used is not an error; one that is used is")
    func unsetInUnusedDefault() {
        #expect(problems(in: "instance: ${A:-${B}}\n", environment: ["A": "a"]).isEmpty)
        #expect(
            problems(in: "instance: ${A:-${B}}\n") == [
                "pipelines.yaml:1:11: instance: environment variable B is not set; set it, "
                    + "or give a default with ${B:-default}"
            ]
        )
    }

    @Test("${NAME} of a set but empty variable is empty, and the value's own check decides")
    func emptyVariableWithoutDefault() {
        #expect(
            problems(in: "instance: ${INSTANCE_ID}\n", environment: ["INSTANCE_ID": ""]) == [
                "pipelines.yaml:1:11: instance: expected a non-empty name without spaces, e.g. processor-1, "
                    + "found \"\" (from \"${INSTANCE_ID}\")"
            ]
        )
    }

    @Test("an unset variable without a default is an error naming it, the key path and the line")
    func unsetVariableIsAnError() {
        let yaml = """
            instance: local-1
            redis:
              url: ${REDIS_URL}
            """
        #expect(
            problems(in: yaml) == [
                "pipelines.yaml:3:8: redis.url: environment variable REDIS_URL is not set; set it, "
                    + "or give a default with ${REDIS_URL:-default}"
            ]
        )
    }

    @Test("$$ is a literal $")
    func doubleDollarIsLiteral() throws {
        let configuration = try load("pipelines:\n  durable-write:\n    stream: price$$:${KIND:-t}$$\n")
        #expect(configuration.pipelines.durableWrite.stream == "price$:t$")
    }

    @Test("several references in one value are all replaced")
    func severalReferences() throws {
        let yaml = "redis:\n  url: redis://${REDIS_HOST}:${REDIS_PORT:-6379}/${REDIS_DB:-0}\n"
        let configuration = try load(yaml, environment: ["REDIS_HOST": "cache.internal", "REDIS_DB": "2"])
        #expect(configuration.redis.url == URL(string: "redis://cache.internal:6379/2"))
    }

    @Test("a default is literal text up to the first '}', and may contain ':-'")
    func defaultIsLiteral() throws {
        let configuration = try load("pipelines:\n  durable-write:\n    group: ${GROUP:-a:-b$c}\n")
        #expect(configuration.pipelines.durableWrite.group == "a:-b$c")
    }

    @Test("quoted scalars are interpolated too; keys never are")
    func quotedValuesAndKeys() {
        #expect((try? load("instance: \"${ID:-quoted}\"\n").instance) == "quoted")
        #expect(
            problems(in: "${KEY}: x\n", environment: ["KEY": "instance"]) == [
                "pipelines.yaml:1:1: ${KEY}: unknown key '${KEY}' "
                    + "(known keys: instance, redis, postgres, http, log, shutdown, faults, pipelines)"
            ]
        )
    }

    @Test(
        "a '$' that starts no reference is an error saying what to write",
        arguments: [
            (
                "instance: a$b\n",
                "pipelines.yaml:1:11: instance: unexpected '$' in \"a$b\": write ${NAME}, ${NAME:-default}, "
                    + "or $$ for a '$'"
            ),
            (
                "instance: ab$\n",
                "pipelines.yaml:1:11: instance: unexpected '$' in \"ab$\": write ${NAME}, ${NAME:-default}, "
                    + "or $$ for a '$'"
            ),
            (
                "instance: ${ID\n",
                "pipelines.yaml:1:11: instance: unterminated '${' in \"${ID\": a '}' is missing"
            ),
            (
                "instance: ${1D}\n",
                "pipelines.yaml:1:11: instance: '${1D}' is not an environment reference: write ${NAME} or "
                    + "${NAME:-default}, where NAME is letters, digits and '_'"
            ),
            (
                "instance: ${ID-x}\n",
                "pipelines.yaml:1:11: instance: '${ID-x}' is not an environment reference: write ${NAME} or "
                    + "${NAME:-default}, where NAME is letters, digits and '_'"
            ),
            (
                "instance: ${}\n",
                "pipelines.yaml:1:11: instance: '${}' is not an environment reference: write ${NAME} or "
                    + "${NAME:-default}, where NAME is letters, digits and '_'"
            ),
        ]
    )
    func malformedReference(yaml: String, problem: String) {
        #expect(problems(in: yaml, environment: ["ID": "x"]) == [problem])
    }

    @Test("every unset variable of one value is reported")
    func everyUnsetVariableIsReported() {
        #expect(
            problems(in: "redis:\n  url: redis://${HOST}:${PORT}\n") == [
                "pipelines.yaml:2:8: redis.url: environment variable HOST is not set; set it, "
                    + "or give a default with ${HOST:-default}",
                "pipelines.yaml:2:8: redis.url: environment variable PORT is not set; set it, "
                    + "or give a default with ${PORT:-default}",
            ]
        )
    }
}
