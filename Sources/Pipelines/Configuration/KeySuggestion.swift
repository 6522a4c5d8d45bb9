/// The "did you mean" of an unknown key: the known key closest to it, if one is close enough to be a typo.
enum KeySuggestion {
    /// `unknown key 'bach'; did you mean 'batch'?`, or, with nothing close, the known keys.
    static func unknown(_ name: String, known: [String], noun: String) -> String {
        let list = "known \(noun)s: \(known.joined(separator: ", "))"
        if let suggestion = Self.closest(to: name, in: known) {
            let message = "unknown \(noun) '\(name)'; did you mean '\(suggestion)'?"
            return noun == "key" ? message : "\(message) (\(list))"
        }
        return "unknown \(noun) '\(name)' (\(list))"
    }

    /// The candidate with the fewest edits (insertions, deletions, substitutions, adjacent swaps; ignoring
    /// case) from `name`, if that is at most a third of the name's length (and at least 1).
    static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = max(1, name.count / 3)
        let scored = candidates.map { (candidate: $0, distance: Self.distance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit else { return nil }
        return best.candidate
    }

    /// Optimal string alignment distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
