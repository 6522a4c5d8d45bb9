import Flow

/// Decodes each stream entry into its position (CONTRACT §1, see ``PositionDecoder``), keeping the entry's id
/// for the acknowledgement.
///
/// A malformed entry throws its ``DecodeError`` (naming the entry, the field and what was expected): the
/// pipeline's error policy decides what becomes of it. durable-write routes it to ``DeadLetter``,
/// live-broadcast to ``ReportMalformed``:
///
/// ```swift
/// Decode().onError(.deadLetter { DeadLetter(…) })
/// ```
public struct Decode: ItemStage {
    public var options = ItemOptions<StreamEntry>()

    public init() {}

    public func process(
        _ entry: StreamEntry,
        into output: inout [PositionEntry],
        context: StageContext
    ) throws(DecodeError) {
        // Not through `PositionDecoder.decode`'s `Result`: wrapping and unwrapping it copies the position twice.
        do throws(DecodeError.Reason) {
            output.append(PositionEntry(entryID: entry.id, position: try PositionDecoder.decodePosition(entry)))
        } catch {
            throw DecodeError(entryID: entry.id, reason: error)
        }
    }
}
