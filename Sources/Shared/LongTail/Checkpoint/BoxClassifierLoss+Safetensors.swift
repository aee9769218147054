// The state of stage 2's classifier loss in a checkpoint (docs/method.md §Other classifier
// losses), so a resumed run with Seesaw, EQLv2 or the federated loss continues exactly:
//   loce.seesaw.cumulative_samples   F32 [C + 1]   (counts >= 0)
//   loce.eqlv2.positive_gradient     F32 [C]       loce.eqlv2.negative_gradient  F32 [C]  (>= 0)
//   loce.eqlv2.ratio                 F32 [C]       (finite, >= 0)
//   loce.federated.rng               I64 [4]       (not all zero)
// CE, EBL and ECM keep no state of their own. Loading checks shapes and values, naming the tensor.
import SharedNN
import SharedSupport

public enum BoxClassifierLossCheckpointName {
    public static let seesawCounts = "loce.seesaw.cumulative_samples"
    public static let eqlv2Positive = "loce.eqlv2.positive_gradient"
    public static let eqlv2Negative = "loce.eqlv2.negative_gradient"
    public static let eqlv2Ratio = "loce.eqlv2.ratio"
    public static let federatedRandom = "loce.federated.rng"
}

extension BoxClassifierLoss {
    /// Adds the loss's state (if it has any) to `file`.
    public func save(into file: inout SafetensorsFile) {
        typealias Name = BoxClassifierLossCheckpointName
        switch self {
        case .crossEntropy, .ecm: break
        case .seesaw(let loss):
            file.set(Name.seesawCounts, SafetensorsTensor(float32: loss.cumulativeSamples, shape: [loss.cumulativeSamples.count]))
        case .eqlv2(let loss):
            file.set(Name.eqlv2Positive, SafetensorsTensor(float32: loss.positiveGradient, shape: [loss.classCount]))
            file.set(Name.eqlv2Negative, SafetensorsTensor(float32: loss.negativeGradient, shape: [loss.classCount]))
            file.set(Name.eqlv2Ratio, SafetensorsTensor(float32: loss.positiveNegativeRatio, shape: [loss.classCount]))
        case .federated(_, let random):
            file.set(Name.federatedRandom, SafetensorsTensor(int64: random.stateWords.map { Int64(bitPattern: $0) }, shape: [4]))
        }
    }

    /// The state saved by `save(into:)` put into this (freshly configured) loss.
    public mutating func restore(from file: SafetensorsFile) throws {
        typealias Name = BoxClassifierLossCheckpointName
        switch self {
        case .crossEntropy, .ecm: break
        case .seesaw(var loss):
            loss.cumulativeSamples = try Self.values(file, Name.seesawCounts, count: loss.classCount + 1)
            self = .seesaw(loss)
        case .eqlv2(var loss):
            loss.positiveGradient = try Self.values(file, Name.eqlv2Positive, count: loss.classCount)
            loss.negativeGradient = try Self.values(file, Name.eqlv2Negative, count: loss.classCount)
            loss.positiveNegativeRatio = try Self.values(file, Name.eqlv2Ratio, count: loss.classCount)
            self = .eqlv2(loss)
        case .federated(let loss, _):
            let words = try requiredTensor(file, Name.federatedRandom, .int64)
            let state = words.int64Values().map { UInt64(bitPattern: $0) }
            guard state.count == 4, state.contains(where: { $0 != 0 }) else {
                throw ToolError("checkpoint tensor \(Name.federatedRandom) is not a generator state (4 words, not all zero)",
                                hint: damagedHint)
            }
            self = .federated(loss, random: SeededRandom(stateWords: state))
        }
    }

    /// `count` finite, non-negative floats of tensor `name`.
    static func values(_ file: SafetensorsFile, _ name: String, count: Int) throws -> [Float] {
        let tensor = try requiredTensor(file, name, .float32)
        guard tensor.elementCount == count else {
            throw ToolError("checkpoint tensor \(name) has \(tensor.elementCount) entries, the model needs \(count)", hint: damagedHint)
        }
        let values = tensor.floatValues()
        if let bad = values.first(where: { !$0.isFinite || $0 < 0 }) {
            throw ToolError("checkpoint tensor \(name) holds \(bad), not a finite non-negative value", hint: damagedHint)
        }
        return values
    }
}
