/// An item that says how a tap shows it (``StageTap``, `flowrun tap`): as one JSON value of its own making.
///
/// ```swift
/// extension Reading: CustomTapRepresentation {
///     var tapJSON: String { #"{"sensor":"\#(self.sensor)","celsius":\#(self.celsius)}"# }
/// }
/// ```
///
/// A tap renders an item with the first of these that applies:
/// 1. `CustomTapRepresentation`: ``tapJSON``, as it is;
/// 2. `Encodable`: its JSON encoding (keys sorted);
/// 3. anything else: its `String(describing:)`, as a JSON string.
///
/// An array of items that conform conforms too. Conform when the encoding is not what an operator looks
/// for (raw bytes, times as numbers), or when the type is not `Encodable`.
///
/// - Important: ``tapJSON`` must be one valid JSON value with no line break outside its strings: a tap
///   writes one item per line.
public protocol CustomTapRepresentation {
    /// This item as one JSON value on one line.
    var tapJSON: String { get }
}

extension Array: CustomTapRepresentation where Element: CustomTapRepresentation {
    public var tapJSON: String {
        "[" + self.map(\.tapJSON).joined(separator: ",") + "]"
    }
}
