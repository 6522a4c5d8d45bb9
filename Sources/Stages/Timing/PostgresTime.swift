/// SQL for `timestamptz` ⇄ µs since the epoch, exactly (no detour through `double precision`).
enum PostgresTime {
    /// `column` as a `bigint` of µs: whole seconds times 10⁶ plus the µs within the second (`extract` counts
    /// them from the start of the minute, hence the `% 1000000`), right before 1970 too.
    static func microseconds(_ column: String) -> String {
        "(floor(extract(epoch FROM \(column)))::bigint * 1000000 + extract(microseconds FROM \(column))::bigint % 1000000)"
    }

    /// The `timestamptz` of a `bigint` parameter of µs (e.g. `$2`).
    static func timestamp(_ parameter: String) -> String {
        "('epoch'::timestamptz + \(parameter)::bigint * interval '1 microsecond')"
    }
}
