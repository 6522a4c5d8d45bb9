import Pipelines

/// Loads `yaml` as a file named `pipelines.yaml`.
func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> FlowrunConfiguration {
    try ConfigurationLoader.load(yaml: yaml, file: "pipelines.yaml", environment: environment)
}

/// The problems loading `yaml` reports, one printed line each; empty when it loads.
func problems(in yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try load(yaml, environment: environment)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}
