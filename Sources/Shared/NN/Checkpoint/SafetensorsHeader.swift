// The JSON header of a safetensors file, parsed and checked before any tensor byte is read
// or allocated: every name once, known dtypes, shapes whose sizes fit 64 bits, and data
// offsets that tile the data section exactly (contiguous, no overlap, no hole, no tail).
import SharedSupport

/// Limits the reader applies to a header (numbers it reads are never trusted further).
public enum SafetensorsLimits {
    /// Largest header accepted, in bytes: 100 MB, as Python's `safetensors` library.
    public static let maxHeaderBytes: UInt64 = 100_000_000
}

/// One tensor entry of a header: where its bytes lie in the data section.
struct SafetensorsEntry {
    var name: String
    var dtype: SafetensorsDType
    var shape: [Int]
    /// Byte range in the data section (relative to its start).
    var begin: Int
    var end: Int
    /// Position in the header (ties among empty tensors keep this order).
    var order: Int
}

/// A parsed and validated header.
struct SafetensorsHeader {
    var metadata: [String: String] = [:]
    /// Entries sorted by offset (the file's data order).
    var entries: [SafetensorsEntry] = []

    /// The file name the JSON reader is given, to tell its syntax errors from ours.
    private static let syntaxErrorMarker = "\u{0}safetensors header"

    /// Parses `json` (the header bytes) for a data section of `dataSize` bytes. Errors are
    /// `ToolError`s without a file (the caller adds it) naming the tensor or key.
    static func parse(_ json: UnsafeRawBufferPointer, dataSize: Int) throws -> SafetensorsHeader {
        var reader = JSONReader(bytes: json, path: syntaxErrorMarker)
        var header = SafetensorsHeader()
        var seen = Set<String>()
        do {
            guard try reader.peek() == .object else {
                throw ToolError("safetensors header is not a JSON object", record: "header")
            }
            try reader.beginObject()
            while let key = try reader.nextKey() {
                let name = key.string
                guard seen.insert(name).inserted else {
                    throw ToolError("the header names \(name) twice", record: "tensor \(name)")
                }
                if name == "__metadata__" {
                    header.metadata = try readMetadata(&reader)
                } else {
                    header.entries.append(try readEntry(&reader, name: name, order: header.entries.count))
                }
            }
            try reader.finish()
        } catch let error as ToolError where error.file == syntaxErrorMarker {
            throw ToolError("safetensors header is not valid JSON: \(error.message)", record: "header, " + (error.record ?? ""))
        }
        try header.checkLayout(dataSize: dataSize)
        return header
    }

    /// `"__metadata__": {"key": "text", ...}`: strings only, each key once.
    private static func readMetadata(_ reader: inout JSONReader) throws -> [String: String] {
        guard try reader.peek() == .object else {
            throw ToolError("`__metadata__` is not a JSON object", record: "header")
        }
        var map: [String: String] = [:]
        try reader.beginObject()
        while let key = try reader.nextKey() {
            let name = key.string
            guard try reader.peek() == .string else {
                throw ToolError("metadata value is not a string", record: "__metadata__.\(name)")
            }
            guard map.updateValue(try reader.readString(), forKey: name) == nil else {
                throw ToolError("the metadata names \(name) twice", record: "__metadata__.\(name)")
            }
        }
        return map
    }

    /// `"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}`.
    private static func readEntry(_ reader: inout JSONReader, name: String, order: Int) throws -> SafetensorsEntry {
        let record = "tensor \(name)"
        guard try reader.peek() == .object else {
            throw ToolError("tensor entry needs dtype, shape and data_offsets", record: record)
        }
        var dtypeName: String?, shape: [Int]?, offsets: [Int]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key.string {
            case "dtype" where dtypeName == nil:
                guard try reader.peek() == .string else { throw ToolError("dtype is not a string", record: record) }
                dtypeName = try reader.readString()
            case "shape" where shape == nil:
                shape = try readIntegers(&reader, what: "shape", record: record)
            case "data_offsets" where offsets == nil:
                offsets = try readIntegers(&reader, what: "data_offsets", record: record)
            case "dtype", "shape", "data_offsets":
                throw ToolError("\(key.string) is given twice", record: record)
            default:
                try reader.skipValue()  // other writers may add fields; they change nothing here
            }
        }
        guard let dtypeName, let shape, let offsets, offsets.count == 2 else {
            throw ToolError("tensor entry needs dtype, shape and data_offsets (two numbers)", record: record)
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw ToolError("unsupported dtype \(dtypeName)", record: record)
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard let expected = byteCount(shape: shape, dtype: dtype) else {
            throw ToolError("shape \(shape) of \(dtypeName) is too large: its byte count does not fit in 64 bits", record: record)
        }
        guard end >= begin, end - begin == expected else {
            throw ToolError("data_offsets [\(begin), \(end)] do not match shape \(shape) of \(dtypeName) (\(expected) bytes)",
                            record: record)
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end, order: order)
    }

    /// A JSON array of non-negative integers (each fitting `Int`).
    private static func readIntegers(_ reader: inout JSONReader, what: String, record: String) throws -> [Int] {
        guard try reader.peek() == .array else { throw ToolError("\(what) is not a list of integers", record: record) }
        var values: [Int] = []
        try reader.beginArray()
        while try reader.nextElement() {
            guard try reader.peek() == .number else { throw ToolError("\(what) is not a list of integers", record: record) }
            let start = reader.valueOffset()
            let value: Int
            do {
                value = try reader.readInt()
            } catch {
                throw ToolError("\(what) holds a number that is not an integer of at most 63 bits (at byte \(start) of the header)",
                                record: record)
            }
            guard value >= 0 else { throw ToolError("\(what) holds \(value), not a non-negative integer", record: record) }
            values.append(value)
        }
        return values
    }

    /// Elements x element size, or nil when the product of the non-zero dimensions and the
    /// element size overflows 64 bits (so no product of some of them, in any order, does;
    /// an empty tensor of absurd dimensions is refused too).
    static func byteCount(shape: [Int], dtype: SafetensorsDType) -> Int? {
        var count = dtype.byteSize
        for dimension in shape where dimension != 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return shape.contains(0) ? 0 : count
    }

    /// Sorts the entries by offset and checks that they tile `0..<dataSize` exactly.
    private mutating func checkLayout(dataSize: Int) throws {
        entries.sort { ($0.begin, $0.end, $0.order) < ($1.begin, $1.end, $1.order) }
        var position = 0
        for entry in entries {
            guard entry.begin == position else {
                let what = entry.begin < position ? "overlaps the tensor before it" : "leaves a hole before it"
                throw ToolError("tensor data is not contiguous (expected offset \(position), found \(entry.begin): the tensor \(what))",
                                record: "tensor \(entry.name)")
            }
            guard entry.end <= dataSize else {
                throw ToolError("truncated safetensors file: tensor data ends at byte \(entry.end) of the data section, only \(dataSize) bytes present",
                                record: "tensor \(entry.name)")
            }
            position = entry.end
        }
        guard position == dataSize else {
            throw ToolError("safetensors data section has \(dataSize - position) trailing bytes not covered by any tensor")
        }
    }
}
