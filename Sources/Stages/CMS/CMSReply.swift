import Foundation

/// What one CMS request came back with: an answer (status and body), or no answer and why.
enum CMSReply: Sendable {
    case answered(status: Int, body: [UInt8])
    /// No answer: a connection error, the timeout, or a body too large; the reason says which.
    case failed(String)
}

/// The `data` member of a Directus reply (`{"data": …}`), told apart from a body that is not one.
enum CMSData: Equatable {
    /// `{"data": null}`
    case null
    /// `{"data": {…}}`, with the object's `id` when it is a string.
    case object(id: String?)
    /// Not JSON, not an object, no `data` member, or `data` neither null nor an object.
    case malformed

    init(json body: [UInt8]) {
        do {
            self = try JSONDecoder().decode(Envelope.self, from: Data(body)).data
        } catch {
            self = .malformed
        }
    }

    private struct Envelope: Decodable {
        var data: CMSData

        private enum CodingKeys: String, CodingKey { case data }
        private enum ItemKeys: String, CodingKey { case id }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if try container.decodeNil(forKey: .data) {
                self.data = .null
            } else {
                let item = try container.nestedContainer(keyedBy: ItemKeys.self, forKey: .data)
                self.data = .object(id: try? item.decodeIfPresent(String.self, forKey: .id))
            }
        }
    }
}
