#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Renders an item leaving a tapped stage as one JSON line (the order of ``CustomTapRepresentation``).
///
/// Only called while a stage is tapped, and only for items a subscriber will take: the dynamic casts and
/// the encoder are off the untapped path.
enum TapRendering {
    static func json<Item>(of item: Item) -> String {
        if let item = item as? any CustomTapRepresentation { return item.tapJSON }
        if let item = item as? any Encodable, let json = Self.encoded(item) { return json }
        return Self.encoded(String(describing: item)) ?? "null"
    }

    private static func encoded(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        // Compact (one line), keys in a stable order.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
