// A pull reader over the bytes of one JSON document: the caller walks objects and arrays
// (`beginObject`/`nextKey`, `beginArray`/`nextElement`) and reads scalars in place; no tree.
// Errors are `ToolError`s naming the file and "line L, column C" (1-based, column in bytes).

/// What the next value in a JSON document is.
public enum JSONKind: String, Sendable {
    case object, array, string, number, bool, null
}

/// A pull reader over one JSON document (RFC 8259, plus Python's `NaN`/`Infinity` literals,
/// which Python's `json` writes and reads).
///
/// Usage:
///
///     try reader.beginObject()
///     while let key = try reader.nextKey() {
///         if key == "id" { id = try reader.readInt() } else { try reader.skipValue() }
///     }
///
/// The reader does not own its bytes: keep the `JSONInput` alive while reading.
public struct JSONReader {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    /// Offset of the next unread byte.
    public internal(set) var offset: Int
    /// Set right after `beginObject`/`beginArray`: the next `nextKey`/`nextElement` sees no comma.
    @usableFromInline var atContainerStart = false
    /// The file name used in errors ("-" for standard input).
    public let path: String

    public init(bytes: UnsafeRawBufferPointer, path: String) {
        if let start = bytes.baseAddress {
            base = start.assumingMemoryBound(to: UInt8.self)
        } else {
            base = UnsafePointer(bitPattern: 1)!  // never dereferenced: count is 0
        }
        count = bytes.count
        offset = 0
        self.path = path
    }

    /// This reader moved to `offset`, inside a container between two of its values (the next
    /// `nextElement` or `nextKey` expects a comma there): to read a document in pieces.
    public func resumed(at offset: Int) -> JSONReader {
        precondition(offset >= 0 && offset <= count, "offset outside the document")
        var reader = self
        reader.offset = offset
        reader.atContainerStart = false
        return reader
    }

    // MARK: Structure

    /// The kind of the next value (skipping whitespace); throws at the end of input.
    public mutating func peek() throws -> JSONKind {
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("a value") }
        switch base[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
            return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw unexpectedCharacter(expected: "a value")
        }
    }

    /// Consumes `{`; then call `nextKey()` until it returns nil.
    public mutating func beginObject() throws {
        try expectValueStart(UInt8(ascii: "{"), kind: .object)
        offset += 1
        atContainerStart = true
    }

    /// The next key of the current object (its `:` consumed), or nil after consuming `}`.
    public mutating func nextKey() throws -> JSONKey? {
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("a key or '}'") }
        var byte = base[offset]
        if byte == UInt8(ascii: "}") {
            offset += 1
            atContainerStart = false
            return nil
        }
        if atContainerStart {
            atContainerStart = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw unexpectedCharacter(expected: "',' or '}'") }
            offset += 1
            skipWhitespace()
            guard offset < count else { throw unexpectedEnd("a key") }
            byte = base[offset]
        }
        guard byte == UInt8(ascii: "\"") else { throw unexpectedCharacter(expected: "a key in double quotes") }
        let keyStart = offset + 1
        let (end, escaped) = try scanString()
        let key = JSONKey(base: base + keyStart, count: end - keyStart, hasEscapes: escaped)
        offset = end + 1
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("':'") }
        guard base[offset] == UInt8(ascii: ":") else { throw unexpectedCharacter(expected: "':' after the key") }
        offset += 1
        return key
    }

    /// Consumes `[`; then call `nextElement()` until it returns false.
    public mutating func beginArray() throws {
        try expectValueStart(UInt8(ascii: "["), kind: .array)
        offset += 1
        atContainerStart = true
    }

    /// True if another element follows (read it next); false after consuming `]`.
    public mutating func nextElement() throws -> Bool {
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("a value or ']'") }
        let byte = base[offset]
        if byte == UInt8(ascii: "]") {
            offset += 1
            atContainerStart = false
            return false
        }
        if atContainerStart {
            atContainerStart = false
            return true
        }
        guard byte == UInt8(ascii: ",") else { throw unexpectedCharacter(expected: "',' or ']'") }
        offset += 1
        return true
    }

    /// Checks that only whitespace remains after the top-level value.
    public mutating func finish() throws {
        skipWhitespace()
        if offset < count { throw unexpectedCharacter(expected: "the end of the document") }
    }

    // MARK: Scalars

    /// Consumes `null` if it is next and returns true; otherwise consumes nothing.
    public mutating func consumeNull() throws -> Bool {
        guard try peek() == .null else { return false }
        try expectLiteral("null")
        return true
    }

    public mutating func readBool() throws -> Bool {
        guard try peek() == .bool else { throw typeMismatch(expected: "true or false") }
        if base[offset] == UInt8(ascii: "t") {
            try expectLiteral("true")
            return true
        }
        try expectLiteral("false")
        return false
    }

    /// A number as a double, equal to what Python's `json` gives (`float(...)` for ints).
    public mutating func readDouble() throws -> Double {
        guard atNumber() else { throw typeMismatch(expected: "a number") }
        return try parseNumber().value
    }

    /// An integer. A number with a fraction or exponent is accepted when its value is an
    /// integer (`3.0`, `1e3`), as Python compares `3.0 == 3`; anything else is an error.
    public mutating func readInt() throws -> Int {
        guard atNumber() else { throw typeMismatch(expected: "an integer") }
        let start = offset
        let number = try parseNumber()
        if let integer = number.integer { return integer }
        let value = number.value
        if value.isFinite, value == value.rounded(.towardZero), abs(value) < 9.2e18 { return Int(value) }
        throw error("expected an integer, found \(String(decoding: UnsafeBufferPointer(start: base + start, count: offset - start), as: UTF8.self))", at: start)
    }

    /// A string, with escapes decoded (`\uXXXX` surrogate pairs joined; a lone surrogate
    /// becomes U+FFFD, which Swift strings cannot hold).
    public mutating func readString() throws -> String {
        guard atString() else { throw typeMismatch(expected: "a string") }
        let start = offset + 1
        let (end, escaped) = try scanString()
        offset = end + 1
        let raw = UnsafeBufferPointer(start: base + start, count: end - start)
        if !escaped { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: try JSONReader.unescape(raw, reader: self, at: start), as: UTF8.self)
    }

    /// The UTF-8 bytes of a string, with escapes decoded.
    public mutating func readStringBytes() throws -> [UInt8] {
        guard atString() else { throw typeMismatch(expected: "a string") }
        let start = offset + 1
        let (end, escaped) = try scanString()
        offset = end + 1
        let raw = UnsafeBufferPointer(start: base + start, count: end - start)
        if !escaped { return Array(raw) }
        return try JSONReader.unescape(raw, reader: self, at: start)
    }

    /// The offset of the next value, after whitespace (for locating errors in a record).
    public mutating func valueOffset() -> Int {
        skipWhitespace()
        return offset
    }

    /// Skips whitespace; true if a number starts here.
    @inline(__always)
    mutating func atNumber() -> Bool {
        skipWhitespace()
        guard offset < count else { return false }
        let byte = base[offset]
        return byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I")
    }

    /// Skips whitespace; true if a string starts here.
    @inline(__always)
    mutating func atString() -> Bool {
        skipWhitespace()
        return offset < count && base[offset] == UInt8(ascii: "\"")
    }

    // MARK: Skipping

    /// Skips the next value, whatever it is, checking its syntax (no recursion: any depth).
    public mutating func skipValue() throws {
        var containers: [UInt8] = []  // "{" or "[" for each open container
        while true {
            // A value starts here.
            switch try peek() {
            case .object:
                offset += 1
                skipWhitespace()
                if offset < count, base[offset] == UInt8(ascii: "}") {
                    offset += 1
                } else {
                    containers.append(UInt8(ascii: "{"))
                    try skipKeyAndColon()
                    continue
                }
            case .array:
                offset += 1
                skipWhitespace()
                if offset < count, base[offset] == UInt8(ascii: "]") {
                    offset += 1
                } else {
                    containers.append(UInt8(ascii: "["))
                    continue
                }
            case .string:
                let (end, _) = try scanString()
                offset = end + 1
            case .number:
                _ = try parseNumber()
            case .bool:
                _ = try readBool()
            case .null:
                try expectLiteral("null")
            }
            // A value ended: close containers or move to the next member.
            while let open = containers.last {
                skipWhitespace()
                guard offset < count else { throw unexpectedEnd(open == UInt8(ascii: "{") ? "',' or '}'" : "',' or ']'") }
                let byte = base[offset]
                if byte == UInt8(ascii: ",") {
                    offset += 1
                    if open == UInt8(ascii: "{") { try skipKeyAndColon() }
                    break
                }
                let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard byte == close else {
                    throw unexpectedCharacter(expected: open == UInt8(ascii: "{") ? "',' or '}'" : "',' or ']'")
                }
                offset += 1
                containers.removeLast()
            }
            if containers.isEmpty { return }
        }
    }

    private mutating func skipKeyAndColon() throws {
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("a key") }
        guard base[offset] == UInt8(ascii: "\"") else { throw unexpectedCharacter(expected: "a key in double quotes") }
        let (end, _) = try scanString()
        offset = end + 1
        skipWhitespace()
        guard offset < count else { throw unexpectedEnd("':'") }
        guard base[offset] == UInt8(ascii: ":") else { throw unexpectedCharacter(expected: "':' after the key") }
        offset += 1
    }

    // MARK: Lexing helpers

    @inline(__always)
    mutating func skipWhitespace() {
        while offset < count {
            let byte = base[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    private mutating func expectValueStart(_ byte: UInt8, kind: JSONKind) throws {
        guard try peek() == kind else {
            throw typeMismatch(expected: kind == .object ? "an object" : "an array")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let length = literal.utf8CodeUnitCount
        let start = offset
        let text = literal.utf8Start
        for index in 0..<length {
            guard start + index < count else { offset = start + index; throw unexpectedEnd("'\(literal)'") }
            guard base[start + index] == text[index] else {
                offset = start + index
                throw unexpectedCharacter(expected: "'\(literal)'")
            }
        }
        offset = start + length
    }

    /// Scans the string starting at `offset` (a quote); returns the offset of the closing
    /// quote and whether it contains escapes. Does not move `offset`.
    private func scanString() throws -> (end: Int, escaped: Bool) {
        var index = offset + 1
        var escaped = false
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { return (index, escaped) }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                try checkEscape(at: index)
                index += 2
                continue
            }
            if byte < 0x20 {
                throw error("control character \(byte) inside a string (escape it as \\u00XX)", at: index)
            }
            index += 1
        }
        throw error("unterminated string (unexpected end of input)", at: count)
    }

    /// Checks the escape starting at the backslash at `index` (so skipped strings are
    /// validated like decoded ones, as Python's `json` does).
    private func checkEscape(at index: Int) throws {
        guard index + 1 < count else { throw error("unterminated string (unexpected end of input)", at: count) }
        switch base[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            for offset in 2..<6 {
                guard index + offset < count else { throw error("unterminated string (unexpected end of input)", at: count) }
                let byte = base[index + offset]
                let isHex = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
                if !isHex { throw error("invalid hex digit in \\u escape", at: index + offset) }
            }
        default:
            throw error("invalid escape after '\\': \(describeByte(at: index + 1))", at: index + 1)
        }
    }
}
