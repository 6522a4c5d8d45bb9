/// Replaces environment references in a scalar value, as a shell would:
///
/// - `${NAME}`: the variable's value; an error when it is unset (set but empty gives an empty string).
/// - `${NAME:-default}`: the variable's value, or `default` when it is unset or empty. The default is taken
///   literally (up to its `}`), unless it holds a reference `${…}`: then it is expanded in turn, only when it
///   is used, so `${HTTP_PORT:-${METRICS_PORT:-9090}}` takes the first variable set (the example
///   pipelines.yaml honours the TypeScript processor's variables so).
/// - `$$`: a literal `$`.
///
/// Any other `$` is an error, so a typo never silently becomes part of a value. A name is a letter or `_`
/// followed by letters, digits and `_`.
enum EnvironmentInterpolation {
    /// The value with every reference replaced, and a message for each reference that could not be.
    static func expand(_ text: String, environment: [String: String]) -> (value: String, problems: [String]) {
        guard text.contains("$") else { return (text, []) }
        var value = ""
        var problems: [String] = []
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            value += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                value += "$"
                rest = after.dropFirst()
                continue
            }
            guard after.first == "{" else {
                problems.append(
                    "unexpected '$' in \(String(reflecting: text)): write ${NAME}, ${NAME:-default}, or $$ for a '$'"
                )
                rest = after
                continue
            }
            let body = after.dropFirst()
            guard let close = Self.closingBrace(in: body) else {
                problems.append("unterminated '${' in \(String(reflecting: text)): a '}' is missing")
                rest = body[body.endIndex...]
                break
            }
            let reference = body[..<close]
            rest = body[body.index(after: close)...]
            let name: Substring
            let fallback: Substring?
            if let separator = reference.firstRange(of: ":-") {
                name = reference[..<separator.lowerBound]
                fallback = reference[separator.upperBound...]
            } else {
                name = reference
                fallback = nil
            }
            guard Self.isName(name) else {
                problems.append(
                    "'${\(reference)}' is not an environment reference: write ${NAME} or ${NAME:-default}, "
                        + "where NAME is letters, digits and '_'"
                )
                continue
            }
            if let set = environment[String(name)], !(set.isEmpty && fallback != nil) {
                value += set
            } else if let fallback, fallback.contains("${") {
                let expanded = Self.expand(String(fallback), environment: environment)
                value += expanded.value
                problems += expanded.problems
            } else if let fallback {
                value += fallback
            } else {
                problems.append(
                    "environment variable \(name) is not set; set it, or give a default with ${\(name):-default}"
                )
            }
        }
        value += rest
        return (value, problems)
    }

    /// The `}` that ends a reference whose body (after `${`) is `body`: the first one not closing a nested
    /// `${…}` of its default.
    private static func closingBrace(in body: Substring) -> Substring.Index? {
        var depth = 0
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            let next = body.index(after: index)
            if character == "$", next < body.endIndex, body[next] == "$" || body[next] == "{" {
                if body[next] == "{" { depth += 1 }
                index = body.index(after: next)
                continue
            }
            if character == "}" {
                if depth == 0 { return index }
                depth -= 1
            }
            index = next
        }
        return nil
    }

    private static func isName(_ name: Substring) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, !("0"..."9").contains(first) else { return false }
        return scalars.allSatisfy { scalar in
            scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar)
        }
    }
}
