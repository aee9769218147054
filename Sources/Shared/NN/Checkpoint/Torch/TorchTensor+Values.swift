// A tensor's values in row-major order, read through its view (strides, offset) from the
// storage bytes: floats for the floating types (float16, bfloat16 and float64 converted to
// float32, rounding to nearest), Int64 for the integer and bool types. Asking a weight for
// floats when it holds integers is refused, so an int tensor is never mistaken for weights.
import SharedSupport

extension TorchTensor {
    /// The values as float32, row-major. Refused for integer and bool tensors (use
    /// `int64Values()`). float64 values beyond float32's range become ±infinity.
    public func floats() throws -> [Float] {
        guard dtype.isFloatingPoint else {
            throw ToolError("a \(dtype.rawValue) tensor \(shape) holds integers, not float weights", file: storage.path,
                            hint: "read it with int64Values() (e.g. num_batches_tracked), or check the tensor's name")
        }
        let dtype = self.dtype
        return try storage.boundBytes().withBytes { raw in [Float](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            #if _endian(little)
            if dtype == .float32 && isContiguous && elementCount > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress! + storageOffset * 4, byteCount: elementCount * 4)
                initialized = elementCount
                return
            }
            #endif
            forEachStorageIndex { position, index in
                switch dtype {
                case .float32:
                    buffer[position] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                case .float64:
                    buffer[position] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
                case .float16:
                    buffer[position] = Float(safetensorsHalfBits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
                case .bfloat16:
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    buffer[position] = Float(bitPattern: UInt32(bits) << 16)
                default:
                    buffer[position] = 0  // not reached: integer types are refused above
                }
            }
            initialized = elementCount
        } }
    }

    /// The values as Int64, row-major (bool as 0 / 1). Refused for floating-point tensors.
    public func int64Values() throws -> [Int64] {
        guard !dtype.isFloatingPoint else {
            throw ToolError("a \(dtype.rawValue) tensor \(shape) holds floats, not integers", file: storage.path,
                            hint: "read it with floats()")
        }
        let dtype = self.dtype
        return try storage.boundBytes().withBytes { raw in [Int64](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            forEachStorageIndex { position, index in
                switch dtype {
                case .int64: buffer[position] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                case .int32: buffer[position] = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                case .int16: buffer[position] = Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
                case .int8: buffer[position] = Int64(Int8(bitPattern: raw[index]))
                case .uint8: buffer[position] = Int64(raw[index])
                case .bool: buffer[position] = raw[index] == 0 ? 0 : 1
                default: buffer[position] = 0  // not reached: floating types are refused above
                }
            }
            initialized = elementCount
        } }
    }

    /// Calls `body(position, storageIndex)` for every element in row-major order: its place in
    /// the output and its element index in the storage (inside the storage: checked by `init`).
    func forEachStorageIndex(_ body: (Int, Int) -> Void) {
        guard elementCount > 0 else { return }
        if isContiguous {
            for position in 0..<elementCount { body(position, storageOffset + position) }
            return
        }
        // An odometer over the dimensions of size > 1 (whose strides the view check bounds:
        // (size - 1) * stride < the storage's count); the innermost one runs as a plain loop.
        let dimensions = zip(shape, strides).filter { $0.0 > 1 }
        let sizes = dimensions.map(\.0), steps = dimensions.map(\.1)
        let rank = sizes.count
        let innerSize = sizes[rank - 1], innerStride = steps[rank - 1]
        var counters = [Int](repeating: 0, count: rank)
        var base = storageOffset
        var position = 0
        while position < elementCount {
            for step in 0..<innerSize { body(position + step, base + step * innerStride) }
            position += innerSize
            var dimension = rank - 2
            while dimension >= 0 {
                counters[dimension] += 1
                base += steps[dimension]
                if counters[dimension] < sizes[dimension] { break }
                base -= steps[dimension] * sizes[dimension]
                counters[dimension] = 0
                dimension -= 1
            }
        }
    }
}
