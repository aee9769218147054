// A small fast JSON writer into a byte buffer: commas handled for the caller, doubles in
// Python's repr form (shortest round-trip), strings escaped. For results files and datasets.
// It never writes NaN or Infinity (not JSON): such a number becomes `null` and is counted.

/// Appends JSON to `bytes`. Call `key` before each object member's value. Drain `bytes`
/// to a file now and then (`takeBytes()`) when writing large documents.
///
///     var json = JSONWriter()
///     json.beginObject(); json.key("score"); json.value(0.5); json.endObject()
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Doubles that were NaN or infinite, written as `null`. A writer whose output must
    /// keep every number (results, logs) checks this is 0 and refuses otherwise.
    public private(set) var nonFiniteNumbers = 0
    @usableFromInline var needsComma = false

    public init(reservingCapacity capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    /// Returns what has been written so far and empties the buffer (the state is kept,
    /// so writing can continue where it stopped).
    public mutating func takeBytes() -> [UInt8] {
        let taken = bytes
        bytes.removeAll(keepingCapacity: true)
        return taken
    }

    /// The document so far as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An object key (its value must follow).
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A newline between records (outside strings; keeps big files diff- and grep-friendly).
    public mutating func newline() {
        bytes.append(0x0A)
    }

    public mutating func value(_ number: Double) {
        separate()
        appendDouble(number)
        needsComma = true
    }

    public mutating func value(_ number: Int) {
        separate()
        appendInteger(number)
        needsComma = true
    }

    public mutating func value(_ flag: Bool) {
        separate()
        appendLiteral(flag ? "true" : "false")
        needsComma = true
    }

    public mutating func value(_ string: String) {
        separate()
        appendQuoted(string)
        needsComma = true
    }

    /// A string given as UTF-8 bytes (e.g. a compressed RLE's counts).
    public mutating func value(stringBytes: [UInt8]) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in stringBytes { appendEscaped(byte) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func null() {
        separate()
        appendLiteral("null")
        needsComma = true
    }

    /// `text` as one JSON string literal, escaped as `value(_:)` escapes strings.
    public static func quoted(_ text: String) -> String {
        var writer = JSONWriter(reservingCapacity: text.utf8.count + 8)
        writer.value(text)
        return writer.text
    }

    /// A list of doubles, e.g. a box.
    public mutating func value(_ numbers: [Double]) {
        beginArray()
        for number in numbers { value(number) }
        endArray()
    }

    // MARK: Formatting

    /// Python's `repr(float)`: shortest round-trip digits. NaN and infinities have no JSON
    /// form (Python's `NaN`/`Infinity` are not JSON; strict readers refuse them): `null`,
    /// counted in `nonFiniteNumbers`.
    mutating func appendDouble(_ number: Double) {
        guard number.isFinite else {
            nonFiniteNumbers += 1
            appendLiteral("null")
            return
        }
        var text = number.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func appendInteger(_ number: Int) {
        if number == 0 { bytes.append(UInt8(ascii: "0")); return }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch space
        let count = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var position = scratch.count
            while magnitude > 0 {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if number < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: scratch[position...])
            return scratch.count - position
        }
        _ = count
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func appendQuoted(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 { appendEscaped(byte) }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
        case 0..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: bytes.append(byte)
        }
    }
}
