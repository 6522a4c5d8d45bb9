extension Position {
    /// The `attributes` column's jsonb text (CONTRACT §2): an object keyed by the decimal IO element id in
    /// ascending numeric order, a number as its original JSON text, a `$bigint` as a JSON string of its
    /// digits, a `$bytes` as a JSON string of its base64; `{}` when there are none.
    ///
    /// ```
    /// {"16":"18446744073709551615","66":12870,"239":1,"385":"AQIDBA=="}
    /// ```
    ///
    /// - Important: A `.number` is written as it is, so it must be JSON number text, as every value
    ///   ``PositionDecoder`` produces is; the strings of `.bigint` and `.bytes` are escaped anyway.
    public var attributesJSON: String { self.attributes.json }
}
