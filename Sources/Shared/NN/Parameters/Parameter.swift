// A named view into the parameter store: where one weight lives in the flat buffers that
// hold values, gradients and momentum (the same layout for all three).

/// A handle to one parameter tensor: its name, shape and place in the flat buffers.
/// Layers keep their handles; the store turns a handle into value/gradient/momentum views.
public struct Parameter: Sendable, Hashable, CustomStringConvertible {
    /// Position in the store's stable order (registration order).
    public let index: Int
    /// Dotted name, as in checkpoints ("backbone.res2.0.conv1.weight").
    public let name: String
    public let shape: [Int]
    /// Index of the first element in the flat buffers (a multiple of 16 floats).
    public let offset: Int
    /// Number of elements.
    public let count: Int

    public init(index: Int, name: String, shape: [Int], offset: Int) {
        self.index = index
        self.name = name
        self.shape = shape
        self.offset = offset
        self.count = shape.reduce(1, *)
    }

    public var description: String { "\(name)\(shape)" }
}

/// The layout of a store being planned: parameters are added one by one (each gets its
/// offset), then `ParameterStore(layout:)` makes the one allocation.
public struct ParameterLayout: Sendable {
    public private(set) var parameters: [Parameter] = []
    /// Names of parameters that start frozen (pretrained backbone stages, frozen BN).
    public private(set) var frozenNames: Set<String> = []
    /// Floats needed so far, including alignment padding.
    public private(set) var totalCount = 0
    private var indexByName: [String: Int] = [:]

    /// Offsets are aligned to this many floats (64 bytes: one AVX-512 vector).
    public static let alignment = 16

    public init() {}

    /// Adds a parameter and returns its handle. Names must be unique.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], frozen: Bool = false) -> Parameter {
        precondition(indexByName[name] == nil, "parameter \(name) added twice")
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "parameter \(name) has bad shape \(shape)")
        let parameter = Parameter(index: parameters.count, name: name, shape: shape, offset: totalCount)
        let a = Self.alignment
        totalCount += (parameter.count + a - 1) / a * a
        indexByName[name] = parameter.index
        parameters.append(parameter)
        if frozen { frozenNames.insert(name) }
        return parameter
    }

    /// The parameter called `name`, if added.
    public func parameter(named name: String) -> Parameter? {
        indexByName[name].map { parameters[$0] }
    }
}
