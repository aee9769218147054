// Raw deflate (RFC 1951, as in zip entries) decompressed with zlib into a buffer of the exact
// size the container announces: damaged data, data that ends early and data that would
// decompress to more bytes are each refused; nothing is allocated here.
import CNative

/// Decompresses the raw deflate stream `source` into `destination`, which must come out
/// exactly full, from all of `source`. Throws a `ToolError` (no file: the caller adds it) when
/// the stream is damaged, ends before filling `destination`, holds more, or is followed by bytes.
public func inflateRawDeflate(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw ToolError("zlib cannot start decompressing (out of memory?)", exitCode: .ioError)
    }
    defer { inflateEnd(&stream) }
    // zlib counts in 32 bits: feed the input and offer the output in slices below 2^31.
    let slice = Int(Int32.max)
    var consumed = 0, produced = 0
    var finished = false
    var scratch: UInt8 = 0  // one byte past the end: tells "exactly full" from "more follows"
    while !finished {
        let inputCount = min(source.count - consumed, slice)
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + consumed })
        stream.avail_in = UInt32(inputCount)
        let outputCount = min(destination.count - produced, slice)
        if outputCount > 0 {
            stream.next_out = destination.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
            stream.avail_out = UInt32(outputCount)
        } else {
            stream.next_out = withUnsafeMutablePointer(to: &scratch) { $0 }
            stream.avail_out = 1
        }
        let status = inflate(&stream, Z_NO_FLUSH)
        let usedInput = inputCount - Int(stream.avail_in)
        let wroteOutput = (outputCount > 0 ? outputCount : 1) - Int(stream.avail_out)
        consumed += usedInput
        if outputCount == 0 && wroteOutput > 0 {
            throw ToolError("the compressed data holds more than the \(destination.count) bytes announced")
        }
        produced += outputCount > 0 ? wroteOutput : 0
        switch status {
        case Z_STREAM_END:
            finished = true
        case Z_OK:
            continue
        case Z_BUF_ERROR where usedInput == 0 && wroteOutput == 0:
            throw ToolError("the compressed data ends early: \(produced) of \(destination.count) bytes decompressed")
        case Z_BUF_ERROR:
            continue
        case Z_MEM_ERROR:
            throw ToolError("zlib ran out of memory while decompressing", exitCode: .ioError)
        default:
            throw ToolError("the compressed data is damaged (zlib: \(stream.msg.map { String(cString: $0) } ?? "error \(status)"))")
        }
    }
    guard produced == destination.count else {
        throw ToolError("the compressed data holds \(produced) bytes, not the \(destination.count) announced")
    }
    guard consumed == source.count else {
        throw ToolError("\(source.count - consumed) bytes follow the end of the compressed data")
    }
}
