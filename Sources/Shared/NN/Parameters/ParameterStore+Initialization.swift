// Seeded initialisation of whole parameters through the store.
import SharedSupport
@_spi(Kernels) import SharedTensor

/// How a parameter's initial values are drawn.
public enum ParameterInitializer: Sendable, Equatable {
    case zeros
    case ones
    case constant(Float)
    case normal(std: Float)
    /// Kaiming (MSRA) normal, std = sqrt(2 / fan) (detectron2's conv init uses fan-out).
    case kaimingNormal(FanMode)
    /// PyTorch's default conv/linear weight init (kaiming uniform, a = sqrt(5)).
    case kaimingUniformDefault
    /// PyTorch's default conv/linear bias init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    case uniformBias(fanIn: Int)
}

extension ParameterStore {
    /// Fills the value of `parameter` as `initializer` says, drawing from `random`.
    public func initialize(_ parameter: Parameter, _ initializer: ParameterInitializer, random: inout SeededRandom) {
        let tensor = value(parameter)
        switch initializer {
        case .zeros: tensor.fill(0)
        case .ones: tensor.fill(1)
        case .constant(let c): tensor.fill(c)
        case .normal(let std): tensor.fillNormal(std: std, random: &random)
        case .kaimingNormal(let mode): tensor.fillKaimingNormal(mode: mode, random: &random)
        case .kaimingUniformDefault: tensor.fillKaimingUniformDefault(random: &random)
        case .uniformBias(let fanIn):
            let bound = 1 / Float(max(1, fanIn)).squareRoot()
            tensor.fillUniform(low: -bound, high: bound, random: &random)
        }
    }
}
