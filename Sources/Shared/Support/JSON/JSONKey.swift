// An object key as it sits in the document: compared to literals without allocating.

/// A key returned by `JSONReader.nextKey()`; valid while the document's bytes are alive.
public struct JSONKey: CustomStringConvertible {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    @usableFromInline let hasEscapes: Bool

    init(base: UnsafePointer<UInt8>, count: Int, hasEscapes: Bool) {
        self.base = base
        self.count = count
        self.hasEscapes = hasEscapes
    }

    /// The key as a Swift string (escapes decoded).
    public var string: String {
        let raw = UnsafeBufferPointer(start: base, count: count)
        if !hasEscapes { return String(decoding: raw, as: UTF8.self) }
        let decoded = (try? JSONReader.unescape(raw, reader: nil, at: 0)) ?? Array(raw)
        return String(decoding: decoded, as: UTF8.self)
    }

    public var description: String { string }

    /// True if the key equals `literal` (an ASCII literal such as "image_id").
    @inlinable
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        if key.hasEscapes { return key.string == literal.description }
        guard key.count == literal.utf8CodeUnitCount else { return false }
        let text = literal.utf8Start
        for index in 0..<key.count where key.base[index] != text[index] { return false }
        return true
    }
}
