// A state dict read from another framework's checkpoint (PyTorch `.pth`, detectron2 `.pkl`):
// tensor names in file order, each a shape and float32 values. The input of every layout's
// import (`ForeignLayout`), whatever container it came from.

/// One tensor of a foreign state dict.
public struct ForeignTensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.values = values
    }
}

/// Named tensors in the order the checkpoint lists them.
public struct ForeignStateDict: Sendable {
    public private(set) var names: [String] = []
    private var tensors: [String: ForeignTensor] = [:]

    public init() {}

    /// Adds `tensor` under `name`; a name given twice keeps its first position and the last value.
    public mutating func set(_ name: String, _ tensor: ForeignTensor) {
        if tensors.updateValue(tensor, forKey: name) == nil { names.append(name) }
    }

    public subscript(name: String) -> ForeignTensor? { tensors[name] }

    public var count: Int { names.count }
}
