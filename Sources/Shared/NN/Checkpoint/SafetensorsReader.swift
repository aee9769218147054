// Reads and validates a safetensors file: a regular file only, its size known before a byte
// is read, the header length bounded (100 MB) and inside the file, the JSON header checked
// whole (`SafetensorsHeader`: dtypes, shapes, offsets in 64-bit checked arithmetic) before
// any tensor is allocated, then each tensor read in place and the data's CRC-32 checked
// when the metadata has one (files we write). A truncated, malformed or damaged file gives a
// `ToolError` that names the file and says what to do.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SharedSupport

extension SafetensorsFile {
    /// Reads `path`. `hint` is appended to every data error (how to regenerate the file).
    /// Not a regular file (a directory, a device, a FIFO), missing or unreadable: exit 74;
    /// a malformed or damaged file: exit 1.
    public static func read(from path: String, hint: String? = nil) throws -> SafetensorsFile {
        let source = try SafetensorsFileSource(path: path)
        defer { source.release() }
        do {
            return try read(source)
        } catch let error as ToolError {
            var located = error.inFile(path)
            if located.hint == nil { located.hint = hint ?? "the file is damaged or not a safetensors file; write it again" }
            throw located
        }
    }

    /// Parses the bytes of a whole safetensors file.
    public static func parse(_ raw: UnsafeRawBufferPointer) throws -> SafetensorsFile {
        try read(SafetensorsMemorySource(raw: raw))
    }

    /// Header length, header, then each tensor's bytes; nothing is allocated before the
    /// header has been checked against the real size of the source.
    static func read(_ source: some SafetensorsByteSource) throws -> SafetensorsFile {
        guard source.size >= 8 else {
            throw ToolError("truncated safetensors file: \(source.size) bytes, less than the 8-byte header length")
        }
        let lengthBytes = try source.bytes(at: 0, count: 8)
        let headerLength = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let available = UInt64(source.size - 8)
        guard headerLength <= available else {
            throw ToolError("not a safetensors file, or a truncated one: its first 8 bytes announce a header of "
                            + "\(headerLength) bytes, and \(available) bytes follow them")
        }
        guard headerLength <= SafetensorsLimits.maxHeaderBytes else {
            throw ToolError("the header is \(headerLength) bytes, more than the \(SafetensorsLimits.maxHeaderBytes) a safetensors "
                            + "header may have")
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = source.size - dataStart
        let json = try source.bytes(at: 8, count: Int(headerLength))
        let header = try json.withUnsafeBytes { try SafetensorsHeader.parse($0, dataSize: dataSize) }
        try requireMemory(forDataBytes: dataSize)

        var file = SafetensorsFile(metadata: header.metadata)
        var crc: UInt32 = 0
        var tensors: [(SafetensorsEntry, [UInt8])] = []
        tensors.reserveCapacity(header.entries.count)
        for entry in header.entries {
            let bytes = try source.bytes(at: dataStart + entry.begin, count: entry.end - entry.begin)
            crc = bytes.withUnsafeBytes { crc32Checksum($0, initial: crc) }
            tensors.append((entry, bytes))
        }
        if let recorded = header.metadata[dataChecksumKey] {
            guard UInt32(recorded, radix: 16) == crc else {
                throw ToolError("the tensor data does not match its checksum (\(dataChecksumKey) \(recorded), computed "
                                + hex8(crc) + "): the file is damaged",
                                hint: "copy it again from where it was written, or re-run the command that wrote it")
            }
        }
        for (entry, bytes) in tensors {
            file.set(entry.name, SafetensorsTensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes))
        }
        return file
    }

    /// Refuses tensor data this process cannot hold, before allocating it: a trial
    /// allocation of that size, released at once (no page is touched). Catches a sparse or
    /// huge file and a process under an address-space limit with a message, not a crash.
    static func requireMemory(forDataBytes count: Int) throws {
        guard count > 1 << 26 else { return }  // 64 MiB and below: not worth a trial
        guard let trial = malloc(count) else {
            throw ToolError("the file's \(count) bytes of tensor data do not fit in this process's memory",
                            hint: "run on a machine with more memory, or check that this is the intended file", exitCode: .ioError)
        }
        free(trial)
    }

    private static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
