// The safetensors container (the format PyTorch and Hugging Face use): element types and
// the in-memory value of one file, a named list of tensors plus a string metadata map.
//
// Layout on disk: 8-byte little-endian header length H, H bytes of JSON (padded with
// spaces to a multiple of 8), then the raw little-endian tensor data. The JSON maps each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the
// start of the data, contiguous, no holes) and may hold "__metadata__": {string: string}.

/// Element types of a safetensors tensor (the subset this project reads and writes).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float64 = "F64"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"
    case int32 = "I32"
    case uint64 = "U64"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .uint8, .bool: return 1
        }
    }
}

/// One tensor of a safetensors file: its type, shape and raw little-endian bytes.
public struct SafetensorsTensor: Sendable, Equatable {
    public var dtype: SafetensorsDType
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in safetensors shape")
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteSize,
                     "safetensors byte count does not match shape \(shape) and dtype \(dtype)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// A float32 tensor from `values` (stored little-endian).
    public init(float32 values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "value count does not match shape \(shape)")
        self.init(dtype: .float32, shape: shape, bytes: values.withUnsafeBufferPointer(Self.littleEndianBytes))
    }

    /// A float32 tensor copied from a buffer.
    public init(float32 values: UnsafeBufferPointer<Float>, shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "value count does not match shape \(shape)")
        self.init(dtype: .float32, shape: shape, bytes: Self.littleEndianBytes(values))
    }

    /// The little-endian bytes of `values` (one copy on little-endian machines).
    static func littleEndianBytes(_ values: UnsafeBufferPointer<Float>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 4) { buffer, initialized in
            if values.count > 0 {
                #if _endian(little)
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: values.baseAddress!, byteCount: values.count * 4)
                #else
                for (index, value) in values.enumerated() {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { raw in
                        for byte in 0..<4 { buffer[index * 4 + byte] = raw[byte] }
                    }
                }
                #endif
            }
            initialized = values.count * 4
        }
    }

    /// An int64 tensor from `values`.
    public init(int64 values: [Int64], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "value count does not match shape \(shape)")
        var bytes = [UInt8](repeating: 0, count: values.count * 8)
        for (index, value) in values.enumerated() {
            withUnsafeBytes(of: value.littleEndian) { raw in
                for byte in 0..<8 { bytes[index * 8 + byte] = raw[byte] }
            }
        }
        self.init(dtype: .int64, shape: shape, bytes: bytes)
    }

    /// A uint64 tensor from `values`.
    public init(uint64 values: [UInt64], shape: [Int]) {
        self.init(int64: values.map { Int64(bitPattern: $0) }, shape: shape)
        dtype = .uint64
    }

    /// The values as float32 (F32 only; F64/F16/BF16 are converted).
    public func floatValues() -> [Float] {
        let count = elementCount
        var result = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case .float32:
                result.withUnsafeMutableBufferPointer { copyFloat32(into: $0) }
            case .float64:
                for index in 0..<count {
                    result[index] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
                }
            case .bfloat16:
                for index in 0..<count {
                    let half = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    result[index] = Float(bitPattern: UInt32(half) << 16)
                }
            case .float16:
                for index in 0..<count {
                    result[index] = Float(safetensorsHalfBits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
                }
            default:
                preconditionFailure("floatValues() on a \(dtype.rawValue) tensor")
            }
        }
        return result
    }

    /// Copies the values (F32 only) into `destination`, which must hold `elementCount` floats.
    public func copyFloat32(into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(dtype == .float32 && destination.count == elementCount, "copyFloat32: type or size mismatch")
        guard elementCount > 0 else { return }
        bytes.withUnsafeBytes { raw in
            #if _endian(little)
            UnsafeMutableRawPointer(destination.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: elementCount * 4)
            #else
            for index in 0..<elementCount {
                destination[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
            #endif
        }
    }

    /// The values as Int64 (I64, I32, U64 bit patterns, U8, BOOL).
    public func int64Values() -> [Int64] {
        let count = elementCount
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { index -> Int64 in
                switch dtype {
                case .int64, .uint64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                case .int32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                case .uint8, .bool: return Int64(raw[index])
                default: preconditionFailure("int64Values() on a \(dtype.rawValue) tensor")
                }
            }
        }
    }
}

extension Float {
    /// IEEE half precision bits to float (for reading F16 tensors).
    init(safetensorsHalfBits bits: UInt16) {
        let sign = UInt32(bits >> 15) << 31
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            self = sign == 0 ? magnitude : -magnitude
        } else if exponent == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}

/// The contents of one safetensors file: tensors in a fixed order plus metadata.
public struct SafetensorsFile: Sendable, Equatable {
    /// Tensors in file order (the writer stores them in this order).
    public private(set) var tensors: [(name: String, tensor: SafetensorsTensor)] = []
    public var metadata: [String: String] = [:]
    private var indexByName: [String: Int] = [:]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    public static func == (a: SafetensorsFile, b: SafetensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors.count == b.tensors.count
            && zip(a.tensors, b.tensors).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor }
    }

    public var names: [String] { tensors.map(\.name) }

    /// Adds or replaces the tensor called `name`.
    public mutating func set(_ name: String, _ tensor: SafetensorsTensor) {
        precondition(name != "__metadata__", "`__metadata__` is reserved in safetensors")
        if let index = indexByName[name] {
            tensors[index].tensor = tensor
        } else {
            indexByName[name] = tensors.count
            tensors.append((name, tensor))
        }
    }

    public subscript(name: String) -> SafetensorsTensor? {
        indexByName[name].map { tensors[$0].tensor }
    }
}
