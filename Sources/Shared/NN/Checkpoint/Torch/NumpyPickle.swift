// numpy values in a pickle, as detectron2's model-zoo files and mmdetection's metadata hold
// them: arrays (`_reconstruct` + BUILD with (version, shape, dtype, fortran, data), or
// protocol 5's `_frombuffer`), dtypes (`numpy.dtype(code)` + BUILD with the byte order) and
// scalars (`scalar(dtype, bytes)`). An array becomes a tensor whose storage is its data in the
// pickle itself (no copy); Fortran order becomes column-major strides.
import SharedSupport

enum NumpyPickle {
    /// The tensor BUILD makes of `_reconstruct`'s empty array: state (version, shape, dtype,
    /// fortran, data), or the older (shape, dtype, fortran, data).
    static func arrayState(_ state: PickleItem, key: String, path: String) throws -> TorchTensor {
        guard var items = state.tupleItems, items.count == 5 || items.count == 4 else {
            throw ToolError("a numpy array's state is \(state.kind), not (version, shape, dtype, fortran, data)")
        }
        if items.count == 5 { items.removeFirst() }
        guard case let .numpyDType(dtype) = items[1] else { throw ToolError("a numpy array's dtype is \(items[1].kind)") }
        let fortran: Bool
        switch items[2] {
        case let .bool(value): fortran = value
        case let .int(value): fortran = value != 0
        default: throw ToolError("a numpy array's Fortran flag is \(items[2].kind)")
        }
        return try array(data: items[3], dtype: dtype, shape: items[0], columnMajor: fortran, key: key, path: path)
    }

    /// `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (pickle protocol 5).
    static func fromBuffer(_ arguments: [PickleItem], key: String, path: String) throws -> TorchTensor {
        guard arguments.count == 4, case let .numpyDType(dtype) = arguments[1], let order = arguments[3].text,
              order == "C" || order == "F" else {
            throw ToolError("numpy _frombuffer needs (buffer, dtype, shape, \"C\" or \"F\"), got \(arguments.count) arguments")
        }
        return try array(data: arguments[0], dtype: dtype, shape: arguments[2], columnMajor: order == "F", key: key, path: path)
    }

    /// An array over `data`, which must hold exactly shape x item size bytes.
    private static func array(data: PickleItem, dtype box: NumpyDTypeBox, shape shapeItem: PickleItem, columnMajor: Bool,
                              key: String, path: String) throws -> TorchTensor {
        let dtype = try usable(box)
        guard let dimensions = shapeItem.tupleItems else { throw ToolError("a numpy array's shape is \(shapeItem.kind)") }
        guard dimensions.count <= TorchTensor.maxDimensions else {
            throw ToolError("a numpy array with \(dimensions.count) dimensions")
        }
        let shape = try dimensions.map { item -> Int in
            guard case let .int(size) = item, size >= 0 else { throw ToolError("a numpy array's shape holds \(item.kind)") }
            return Int(size)
        }
        let bytes: TorchByteRange
        switch data {
        case let .bytes(range), let .legacyString(range): bytes = range
        case .list: throw ToolError("a numpy array of Python objects (dtype \(box.code)): only numbers are read")
        default: throw ToolError("a numpy array's data is \(data.kind), not bytes")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw ToolError("a numpy array of shape \(shape) has too many elements to count") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == bytes.count else {
            throw ToolError("a numpy array of shape \(shape) and dtype \(box.code) needs \(overflow ? "more" : String(byteCount)) bytes "
                            + "and its data has \(bytes.count)")
        }
        let storage = TorchStorage(key: key, dtype: dtype, elementCount: count, path: path, bytes: bytes)
        return try TorchTensor(storage: storage, shape: shape, strides: TorchTensor.packedStrides(shape, columnMajor: columnMajor),
                               storageOffset: 0)
    }

    /// BUILD of a dtype: (version, byte order, subarray, names, fields, item size, alignment, flags[, metadata]).
    static func dtypeState(_ state: PickleItem, into box: NumpyDTypeBox) throws {
        guard let items = state.tupleItems, items.count >= 2, let order = items[1].text, order.count == 1,
              let character = order.first, "<>|=".contains(character) else {
            throw ToolError("a numpy dtype's state is \(state.kind), not (version, byte order, ...)")
        }
        if items.count >= 4 {
            guard case .none = items[2], case .none = items[3] else {
                throw ToolError("a structured or sub-array numpy dtype (\(box.code)): only plain number types are read")
            }
        }
        box.byteOrder = character
    }

    /// `numpy.core.multiarray.scalar(dtype, bytes)`: an int, float or bool.
    static func scalar(_ arguments: [PickleItem]) throws -> PickleItem {
        guard arguments.count == 2, case let .numpyDType(box) = arguments[0] else {
            throw ToolError("numpy scalar needs (dtype, bytes), got \(arguments.count) arguments")
        }
        let dtype = try usable(box)
        let bytes: [UInt8]
        switch arguments[1] {
        case let .bytes(range), let .legacyString(range): bytes = range.array
        default: throw ToolError("a numpy scalar's data is \(arguments[1].kind), not bytes")
        }
        guard bytes.count == dtype.byteSize else {
            throw ToolError("a numpy \(box.code) scalar of \(bytes.count) bytes")
        }
        var bits: UInt64 = 0
        for byte in bytes.reversed() { bits = bits << 8 | UInt64(byte) }
        switch dtype {
        case .float64: return .float(Double(bitPattern: bits))
        case .float32: return .float(Double(Float(bitPattern: UInt32(bits))))
        case .float16: return .float(Double(Float(safetensorsHalfBits: UInt16(bits))))
        case .bfloat16: return .float(Double(Float(bitPattern: UInt32(bits) << 16)))
        case .int64: return .int(Int64(bitPattern: bits))
        case .int32: return .int(Int64(Int32(bitPattern: UInt32(bits))))
        case .int16: return .int(Int64(Int16(bitPattern: UInt16(bits))))
        case .int8: return .int(Int64(Int8(bitPattern: UInt8(bits))))
        case .uint8: return .int(Int64(bits))
        case .bool: return .bool(bits != 0)
        }
    }

    /// The element type of a dtype this reader converts, in little-endian order.
    private static func usable(_ box: NumpyDTypeBox) throws -> TorchDType {
        guard let dtype = box.dtype else {
            throw ToolError("numpy dtype '\(box.code)' is not a number type this reader converts "
                            + "(float16/32/64, int8/16/32/64, uint8, bool)")
        }
        guard box.isLittleEndian || dtype.byteSize == 1 else {
            throw ToolError("a big-endian numpy array (dtype \(box.byteOrder)\(box.code))",
                            hint: "convert it in Python with array.astype(array.dtype.newbyteorder('<')) and save it again")
        }
        return dtype
    }
}
