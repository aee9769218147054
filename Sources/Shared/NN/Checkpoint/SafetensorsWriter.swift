// Writes a `SafetensorsFile` to disk atomically (temporary name, fsync, rename), in the
// byte layout Python's `safetensors` reads: header length, JSON header, raw data. The
// metadata carries the data section's CRC-32 ("data_crc32"), which the reader checks.
import Foundation
import SharedSupport

extension SafetensorsFile {
    /// Metadata key of the data section's CRC-32 (8 hex digits); files without it (Python's)
    /// are read unchecked.
    public static let dataChecksumKey = "data_crc32"

    /// This file with `data_crc32` set to the CRC-32 of its tensors' bytes in file order.
    func withDataChecksum() -> SafetensorsFile {
        var crc: UInt32 = 0
        for (_, tensor) in tensors { crc = tensor.bytes.withUnsafeBytes { crc32Checksum($0, initial: crc) } }
        var copy = self
        copy.metadata[Self.dataChecksumKey] = String(format: "%08x", crc)
        return copy
    }

    /// The header JSON (unpadded) and the total data size, tensors laid out in file order.
    func headerJSON() -> (json: String, dataSize: Int) {
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(JSONWriter.quoted($0)):\(JSONWriter.quoted(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            let end = offset + tensor.bytes.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(JSONWriter.quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        return ("{" + parts.joined(separator: ",") + "}", offset)
    }

    /// The whole file as bytes (header padded with spaces to a multiple of 8).
    public func serialized() -> [UInt8] {
        let file = withDataChecksum()
        var (json, dataSize) = file.headerJSON()
        while json.utf8.count % 8 != 0 { json += " " }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + json.utf8.count + dataSize)
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json.utf8)
        for (_, tensor) in file.tensors { bytes.append(contentsOf: tensor.bytes) }
        return bytes
    }

    /// Writes the file atomically; throws `ToolError` (exit 74) if it cannot.
    public func write(to path: String) throws {
        let file = withDataChecksum()
        var (json, _) = file.headerJSON()
        while json.utf8.count % 8 != 0 { json += " " }
        let writer = try AtomicFileWriter(path: path)
        var length = UInt64(json.utf8.count).littleEndian
        try withUnsafeBytes(of: &length) { try writer.write($0) }
        try writer.write(json)
        for (_, tensor) in file.tensors { try writer.write(tensor.bytes) }
        try writer.commit()
    }
}
