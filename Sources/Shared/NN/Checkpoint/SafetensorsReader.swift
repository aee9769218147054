// Reads and validates a safetensors file: header length, JSON header, dtypes, shapes and
// data offsets (contiguous, no holes, inside the file), and the data's CRC-32 when the
// metadata has one (files we write). A truncated, malformed or damaged file gives a
// `ToolError` that names the file and says what to do.
import Foundation
import SharedSupport

extension SafetensorsFile {
    /// Reads `path`. `hint` is appended to every data error (how to regenerate the file).
    public static func read(from path: String, hint: String? = nil) throws -> SafetensorsFile {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ToolError.io("cannot open safetensors file", file: path, hint: "check that the path exists and is readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ToolError.io("cannot read safetensors file: \(error)", file: path)
        }
        return try data.withUnsafeBytes { raw in
            do {
                return try parse(raw)
            } catch let error as ToolError {
                var located = error.inFile(path)
                if located.hint == nil { located.hint = hint ?? "the file is damaged or not a safetensors file; write it again" }
                throw located
            }
        }
    }

    /// Parses the bytes of a whole safetensors file.
    public static func parse(_ raw: UnsafeRawBufferPointer) throws -> SafetensorsFile {
        guard raw.count >= 8 else {
            throw ToolError("truncated safetensors file: \(raw.count) bytes, less than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard headerLength <= UInt64(raw.count - 8) else {
            throw ToolError("not a safetensors file, or a truncated one: its first 8 bytes announce a header of "
                            + "\(headerLength) bytes, and \(raw.count - 8) bytes follow them")
        }
        let headerBytes = Data(raw[8..<(8 + Int(headerLength))])
        let dataStart = 8 + Int(headerLength)
        let dataSize = raw.count - dataStart
        guard let object = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw ToolError("safetensors header is not a JSON object", record: "header")
        }
        var file = SafetensorsFile()
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw ToolError("`__metadata__` is not a JSON object", record: "header")
                }
                for (key, item) in map {
                    guard let text = item as? String else {
                        throw ToolError("metadata value is not a string", record: "__metadata__.\(key)")
                    }
                    file.metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any],
                  let offsetValues = info["data_offsets"] as? [Any], offsetValues.count == 2 else {
                throw ToolError("tensor entry needs dtype, shape and data_offsets", record: "tensor \(name)")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw ToolError("unsupported dtype \(dtypeName)", record: "tensor \(name)")
            }
            let shape = try shapeValues.map { try nonNegativeInteger($0, what: "shape", name: name) }
            let begin = try nonNegativeInteger(offsetValues[0], what: "data_offsets", name: name)
            let end = try nonNegativeInteger(offsetValues[1], what: "data_offsets", name: name)
            let expected = shape.reduce(1, *) * dtype.byteSize
            guard end >= begin, end - begin == expected else {
                throw ToolError("data_offsets [\(begin), \(end)] do not match shape \(shape) of \(dtypeName) (\(expected) bytes)",
                                record: "tensor \(name)")
            }
            entries.append((name, dtype, shape, begin, end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for entry in entries {
            guard entry.begin == position else {
                throw ToolError("tensor data is not contiguous (expected offset \(position), found \(entry.begin))",
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
        if let recorded = file.metadata[dataChecksumKey] {
            let actual = crc32Checksum(UnsafeRawBufferPointer(rebasing: raw[dataStart..<(dataStart + dataSize)]))
            guard UInt32(recorded, radix: 16) == actual else {
                throw ToolError("the tensor data does not match its checksum (\(dataChecksumKey) \(recorded), computed "
                                + String(format: "%08x", actual) + "): the file is damaged",
                                hint: "copy it again from where it was written, or re-run the command that wrote it")
            }
        }
        for entry in entries {
            let bytes = Array(raw[(dataStart + entry.begin)..<(dataStart + entry.end)])
            file.set(entry.name, SafetensorsTensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes))
        }
        return file
    }

    private static func nonNegativeInteger(_ value: Any, what: String, name: String) throws -> Int {
        if let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue), integer >= 0,
           number.doubleValue == number.doubleValue.rounded() {
            return integer
        }
        throw ToolError("\(what) holds \(value), not a non-negative integer", record: "tensor \(name)")
    }
}
