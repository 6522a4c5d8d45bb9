import Flow

/// Decodes each entry of the stream `timing:crossings` into the change of the `crossings` table it holds
/// (CONTRACT §6.5, see ``CrossingChange/decode(_:)``). live-broadcast's timing branch.
///
/// A malformed entry throws its ``CrossingStreamError`` (naming the entry and what is wrong): live-broadcast
/// routes it to ``ReportMalformed``, which counts and logs it and lets it go.
public struct DecodeCrossing: ItemStage {
    public var options = ItemOptions<StreamEntry>()

    public init() {}

    public func process(
        _ entry: StreamEntry,
        into output: inout [CrossingChange],
        context: StageContext
    ) throws(CrossingStreamError) {
        output.append(try CrossingChange.decode(entry).get())
    }
}
