// Error construction for the JSON reader: every error names the file and "line L, column C",
// computed only when an error happens (by counting newlines up to the offset).

extension JSONReader {
    /// 1-based line and column (in bytes) of a byte offset in the document.
    public func location(of position: Int) -> (line: Int, column: Int) {
        let end = min(max(position, 0), count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where base[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, end - lineStart + 1)
    }

    /// "line L, column C" of a byte offset.
    public func locationText(of position: Int) -> String {
        let (line, column) = location(of: position)
        return "line \(line), column \(column)"
    }

    /// A data error located at byte `position` of this document.
    public func error(_ message: String, at position: Int, hint: String? = nil) -> ToolError {
        ToolError(message, file: path, record: locationText(of: position), hint: hint)
    }

    /// A data error about a record: "RECORD (line L, column C): message".
    public func error(_ message: String, record: String, at position: Int, hint: String? = nil) -> ToolError {
        ToolError(message, file: path, record: "\(record) (\(locationText(of: position)))", hint: hint)
    }

    func unexpectedEnd(_ expected: String) -> ToolError {
        error("unexpected end of input, expected \(expected)", at: count,
              hint: "the file is truncated or not JSON; regenerate it")
    }

    func unexpectedCharacter(expected: String) -> ToolError {
        if offset == 0 && count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            return error("the file starts with a UTF-8 byte order mark", at: 0,
                         hint: "JSON files must not start with a BOM; remove the first three bytes")
        }
        return error("unexpected \(describeByte(at: offset)), expected \(expected)", at: offset)
    }

    /// The next value exists but is of the wrong kind (e.g. a string where a number belongs).
    mutating func typeMismatch(expected: String) -> ToolError {
        let found: String
        if let kind = try? peek() {
            switch kind {
            case .object: found = "an object"
            case .array: found = "an array"
            case .string: found = "a string"
            case .number: found = "a number"
            case .bool: found = "a boolean"
            case .null: found = "null"
            }
        } else {
            found = describeByte(at: offset)
        }
        return error("expected \(expected), found \(found)", at: offset)
    }

    func describeByte(at position: Int) -> String {
        guard position < count else { return "end of input" }
        let byte = base[position]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }
}
