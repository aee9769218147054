// A float32 tensor: a shape (row-major, contiguous, no strides) viewing a range of a
// `TensorStorage`. Images are NCHW.
//
// A `Tensor` is a *view* with reference semantics, like a pointer plus a shape in llm.c:
// copying a Tensor value does not copy the floats, and writing through any copy is seen
// by all. Allocate with `Tensor(shape:)`; carve views with `reshaped`, `slice(batch:)`
// or `view(offset:shape:)`.

/// Number of elements of a shape (1 for the empty shape, a scalar).
@inlinable
public func elementCount(_ shape: [Int]) -> Int {
    var count = 1
    for dimension in shape {
        precondition(dimension >= 0, "negative dimension in shape \(shape)")
        count *= dimension
    }
    return count
}

public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    /// Dimensions, outermost first (NCHW for images).
    public let shape: [Int]
    /// The allocation this tensor views.
    public let storage: TensorStorage
    /// Index of this tensor's first element in `storage`.
    public let offset: Int
    /// Number of elements (product of `shape`).
    public let count: Int

    /// A new zero-filled tensor with its own storage.
    public init(shape: [Int]) {
        let count = elementCount(shape)
        self.init(shape: shape, storage: TensorStorage(capacity: count), offset: 0)
    }

    /// A view of `storage` starting at `offset`.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        let count = elementCount(shape)
        precondition(offset >= 0 && offset + count <= storage.capacity,
                     "view [\(offset), \(offset + count)) outside storage of \(storage.capacity)")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// A new tensor holding a copy of `values` (row-major).
    public init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { source in
            data.update(from: source.baseAddress!, count: count)
        }
    }

    /// A tensor of the same shape with fresh (zeroed) storage.
    public static func zeros(like other: Tensor) -> Tensor { Tensor(shape: other.shape) }

    /// Pointer to the first element. Kernel code only (Tensor, NN, benchmarks, tests:
    /// `@_spi(Kernels) import SharedTensor`); the layers above use the scoped accessors below.
    @_spi(Kernels) @inlinable public var data: UnsafeMutablePointer<Float> { storage.start + offset }

    /// The elements as a buffer (`count` floats). Kernel code only, as `data`.
    @_spi(Kernels) @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: storage.start + offset, count: count)
    }

    /// Calls `body` with the elements to read; the buffer is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.start + offset, count: count))
    }

    /// Calls `body` with the elements to read and write; the buffer is valid only inside `body`.
    @inlinable
    public func withUnsafeMutableBufferPointer<Result>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeMutableBufferPointer(start: storage.start + offset, count: count))
    }

    @inlinable public var rank: Int { shape.count }

    /// Dimension `axis`; negative axes count from the end.
    @inlinable public func dimension(_ axis: Int) -> Int { shape[axis < 0 ? shape.count + axis : axis] }

    // NCHW accessors, for rank-4 tensors.
    @inlinable public var n: Int { precondition(rank == 4, "n of a rank-\(rank) tensor"); return shape[0] }
    @inlinable public var c: Int { precondition(rank == 4, "c of a rank-\(rank) tensor"); return shape[1] }
    @inlinable public var h: Int { precondition(rank == 4, "h of a rank-\(rank) tensor"); return shape[2] }
    @inlinable public var w: Int { precondition(rank == 4, "w of a rank-\(rank) tensor"); return shape[3] }

    /// The same elements with another shape of equal count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(elementCount(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, storage: storage, offset: offset)
    }

    /// A view of `shape` starting `elementOffset` elements into this tensor.
    public func view(offset elementOffset: Int, shape newShape: [Int]) -> Tensor {
        precondition(elementOffset >= 0 && elementOffset + elementCount(newShape) <= count,
                     "view outside tensor of shape \(shape)")
        return Tensor(shape: newShape, storage: storage, offset: offset + elementOffset)
    }

    /// Items `range` along the outermost dimension (e.g. some images of a batch).
    public func slice(batch range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "batch slice out of range")
        let inner = shape[0] == 0 ? 0 : count / shape[0]
        return Tensor(shape: [range.count] + shape.dropFirst(), storage: storage, offset: offset + range.lowerBound * inner)
    }

    /// Item `index` along the outermost dimension, keeping a leading 1 (NCHW stays rank 4).
    public func slice(batch index: Int) -> Tensor { slice(batch: index..<(index + 1)) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { buffer.update(repeating: value) }

    /// Sets every element to zero.
    public func zero() { fill(0) }

    /// Copies the elements of `source` (same count) into this tensor.
    public func copy(from source: Tensor) {
        precondition(source.count == count, "copy of \(source.shape) into \(shape)")
        data.update(from: source.data, count: count)
    }

    /// A new tensor with its own copy of the elements.
    public func clone() -> Tensor {
        let copy = Tensor(shape: shape)
        copy.copy(from: self)
        return copy
    }

    /// The elements as an array (tests, small outputs).
    public func toArray() -> [Float] { Array(buffer) }

    /// Element `index` of the row-major elements, bounds-checked (in the caller's build).
    @inlinable public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "element \(index) outside tensor of shape \(shape)")
            return storage.start[offset + index]
        }
        nonmutating set {
            precondition(index >= 0 && index < count, "element \(index) outside tensor of shape \(shape)")
            storage.start[offset + index] = newValue
        }
    }

    /// Element at a multi-index (slow; tests and debugging).
    public subscript(indices: Int...) -> Float {
        get { data[flatIndex(indices)] }
        nonmutating set { data[flatIndex(indices)] = newValue }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "\(indices.count) indices for rank \(rank)")
        var index = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(i) out of range on axis \(axis) of \(shape)")
            index = index * shape[axis] + i
        }
        return index
    }

    public var description: String { "Tensor\(shape)" }
}
