// The box head's shared part: flatten the RoI features, then fully connected layers with
// ReLU (2 x 1024 in the paper). Frozen in LOCE's stage 2, where memory features join here.
//
// Legend: R = RoIs, C = channels, S = pooled size (7), D = FC width.
// features [R, C, S, S] -> [R, C*S*S] -> fc1 [R, D] -> ... -> [R, D].
import SharedSupport
import SharedTensor
import SharedNN

public struct BoxHead: Sendable {
    public let fcs: [LinearLayer]
    /// Per FC number (1...n): its output; per FC number (1..<n): the gradient of its output.
    let outputBuffers = BufferSlot("roi_heads.box_head.fc.out"), outputGradients = BufferSlot("roi_heads.box_head.fc.grad")

    /// Parameters "roi_heads.box_head.fc1", "...fc2", ...
    public init(inputFeatures: Int, fcCount: Int, fcDim: Int, layout: inout ParameterLayout, frozen: Bool = false) {
        var fcs: [LinearLayer] = []
        var width = inputFeatures
        for index in 1...fcCount {
            fcs.append(LinearLayer("roi_heads.box_head.fc\(index)", inFeatures: width, outFeatures: fcDim, layout: &layout, frozen: frozen))
            width = fcDim
        }
        self.fcs = fcs
    }

    public init(config: BoxHeadConfig, channels: Int, pooledSize: Int, layout: inout ParameterLayout) {
        self.init(inputFeatures: channels * pooledSize * pooledSize, fcCount: config.fcCount, fcDim: config.fcDim, layout: &layout)
    }

    public var outputFeatures: Int { fcs.last!.outFeatures }

    /// Xavier-uniform weights, zero biases (mmdetection's ConvFCBBoxHead).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        for fc in fcs { initializeXavierUniform(fc.weight, bias: fc.bias, store: store, random: &random) }
    }

    public struct Saved: @unchecked Sendable {
        public let fcs: [Linear.Saved]
        public let relus: [ReLU.Saved]
        public let inputShape: [Int]
    }

    /// [R, D] features of `roiFeatures` [R, C, S, S].
    public func forward(_ roiFeatures: Tensor, context: ModuleContext) -> (features: Tensor, saved: Saved) {
        var x = Flatten.forward(roiFeatures)
        let rois = x.dimension(0)
        var fcSaved: [Linear.Saved] = [], reluSaved: [ReLU.Saved] = []
        for (index, fc) in fcs.enumerated() {
            let y = context.buffers.tensor(outputBuffers, index: index + 1, shape: [rois, fc.outFeatures])
            fcSaved.append(fc.forward(x, output: y, store: context.store, compute: context.compute))
            reluSaved.append(ReLU.forward(input: y, output: y, compute: context.compute))
            x = y
        }
        return (x, Saved(fcs: fcSaved, relus: reluSaved, inputShape: roiFeatures.shape))
    }

    /// dFeatures is consumed (overwritten); accumulates into `dRoIFeatures` if given.
    public func backward(_ dFeatures: Tensor, saved: Saved, dRoIFeatures: Tensor?, context: ModuleContext) {
        var dy = dFeatures
        for index in fcs.indices.reversed() {
            ReLU.backward(dOutput: dy, saved: saved.relus[index], dInput: dy, compute: context.compute)
            let dx: Tensor?
            if index > 0 {
                dx = context.buffers.zeroed(outputGradients, index: index, shape: [dy.dimension(0), fcs[index].inFeatures])
            } else {
                dx = dRoIFeatures.map { $0.reshaped([dy.dimension(0), fcs[0].inFeatures]) }
            }
            // A frozen FC with no input gradient needed has nothing to do.
            if dx == nil && context.store.isFrozen(fcs[index].weight) { return }
            fcs[index].backward(dy, saved: saved.fcs[index], dInput: dx, store: context.store, compute: context.compute)
            guard let dx else { return }
            dy = dx
        }
    }
}
