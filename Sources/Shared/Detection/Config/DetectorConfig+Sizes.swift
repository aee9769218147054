// What a config's numbers make together: upper estimates, in floats, of the largest buffers
// a run allocates (image batch, feature maps, convolution columns, RPN outputs, RoI
// features, mask logits, a later stage's such as the LOCE memory) and the model's parameter count. A config whose
// any one buffer would pass `ConfigLimits.maxBufferElements`, or whose model would pass
// `ConfigLimits.maxParameters`, is refused when it is read, before anything is allocated.
//
// Images are taken as padded long side x padded long side (a batch pads every image to the
// tallest height and the widest width of the batch, portrait and landscape mixed).
import SharedNN

/// One buffer a config makes: its name, its size, and the keys it grows with.
public struct ConfigBuffer: Sendable, Equatable {
    public var name: String
    /// Elements (float32), saturated at `Int.max`.
    public var elements: Int
    public var keys: [String]

    public init(name: String, elements: Int, keys: [String]) {
        self.name = name
        self.elements = elements
        self.keys = keys
    }
}

extension DetectorConfig {
    /// Upper estimates of the largest buffers of a training step and of inference on one
    /// image. Needs a config whose fields are in range; class-dependent buffers are left
    /// out until `roiHeads.numClasses` is known. A later stage's `section` adds its own.
    public func largestBuffers(with section: (any DetectorConfigSection)? = nil) -> [ConfigBuffer] {
        let batch = solver.imagesPerBatch
        let trainSide = Self.padded(input.trainMaxLongSide, to: input.padMultiple)
        let testSide = Self.padded(input.testMaxLongSide, to: input.padMultiple)
        func area(_ side: Int, stride: Int) -> Int { Self.product((side + stride - 1) / stride, (side + stride - 1) / stride) }
        let pooledBox = Self.product(roiHeads.boxPooler.outputSize, roiHeads.boxPooler.outputSize)
        let maskPooled = Self.square(roiHeads.maskPooler.outputSize)
        let maskMap = Self.square(2 * roiHeads.maskPooler.outputSize)
        // The mask head's widest tensor per RoI: pooled features [C, S, S] or the deconvolved [D, 2S, 2S].
        let maskFeatures = max(Self.product(fpn.channels, maskPooled), Self.product(roiHeads.maskHead.convDim, maskMap))
        // Anchors per image: every location of every level, each level a quarter of the one before.
        let finestArea = area(trainSide, stride: 1 << fpn.minLevel)
        let anchorLocations = finestArea / 3 * 4 + 6
        let positivesPerImage = Int((Double(roiHeads.sampler.samplesPerImage) * roiHeads.sampler.positiveFraction).rounded(.up))
        let trainMaskRoIs = Self.product(batch, max(1, positivesPerImage))
        let trainRoIs = Self.product(batch, roiHeads.sampler.samplesPerImage)
        let side = "input.trainMaxLongSide, input.testMaxLongSide"

        var buffers: [ConfigBuffer] = [
            ConfigBuffer(name: "the training image batch", elements: Self.product(batch, 3, area(trainSide, stride: 1)),
                         keys: ["solver.imagesPerBatch", "input.trainMaxLongSide"]),
            ConfigBuffer(name: "the widest feature map of a training batch",
                         elements: Self.product(batch, widestFeatureMap(side: trainSide)),
                         keys: ["solver.imagesPerBatch", "backbone.stemWidth", "backbone.stageWidths", "fpn.channels", "input.trainMaxLongSide"]),
            ConfigBuffer(name: "the convolution columns of one image",
                         elements: max(convolutionColumns(side: trainSide), convolutionColumns(side: testSide)),
                         keys: ["backbone.stageWidths", "fpn.channels", side]),
            ConfigBuffer(name: "the RPN outputs of a training batch",
                         elements: Self.product(batch, 5 * rpn.anchorScales.count * rpn.anchorRatios.count, anchorLocations),
                         keys: ["solver.imagesPerBatch", "rpn.anchorScales", "rpn.anchorRatios", "input.trainMaxLongSide"]),
            ConfigBuffer(name: "the pooled RoI features of a training batch",
                         elements: Self.product(trainRoIs, fpn.channels, pooledBox),
                         keys: ["solver.imagesPerBatch", "roiHeads.sampler.samplesPerImage", "fpn.channels", "roiHeads.boxPooler.outputSize"]),
            ConfigBuffer(name: "the pooled RoI features of one test image",
                         elements: Self.product(rpn.test.postNMSTopK, fpn.channels, pooledBox),
                         keys: ["rpn.test.postNMSTopK", "fpn.channels", "roiHeads.boxPooler.outputSize"]),
            ConfigBuffer(name: "the box head's first weight", elements: Self.product(roiHeads.boxHead.fcDim, fpn.channels, pooledBox),
                         keys: ["roiHeads.boxHead.fcDim", "fpn.channels", "roiHeads.boxPooler.outputSize"]),
            ConfigBuffer(name: "the mask head's features of a training batch",
                         elements: Self.product(trainMaskRoIs, maskFeatures),
                         keys: ["solver.imagesPerBatch", "roiHeads.sampler", "fpn.channels", "roiHeads.maskHead.convDim",
                                "roiHeads.maskPooler.outputSize"]),
            ConfigBuffer(name: "the mask head's features of one test image",
                         elements: Self.product(test.maxDetectionsPerImage, maskFeatures),
                         keys: ["test.maxDetectionsPerImage", "fpn.channels", "roiHeads.maskHead.convDim", "roiHeads.maskPooler.outputSize"]),
        ]
        buffers += section?.buffers(detector: self) ?? []
        guard let classes = roiHeads.numClasses else { return buffers }
        // The linear mask classifier makes every class's map; the normed one only the RoI's.
        let mapsPerRoI = roiHeads.maskHead.classifier == .linear ? classes : 1
        buffers += [
            ConfigBuffer(name: "the box regressor outputs of a training batch", elements: Self.product(trainRoIs, 4, classes + 1),
                         keys: ["solver.imagesPerBatch", "roiHeads.sampler.samplesPerImage", "roiHeads.numClasses"]),
            ConfigBuffer(name: "the mask logits of a training batch", elements: Self.product(trainMaskRoIs, mapsPerRoI, maskMap),
                         keys: ["solver.imagesPerBatch", "roiHeads.sampler", "roiHeads.numClasses", "roiHeads.maskHead.classifier",
                                "roiHeads.maskPooler.outputSize"]),
            ConfigBuffer(name: "the mask logits of one test image", elements: Self.product(test.maxDetectionsPerImage, mapsPerRoI, maskMap),
                         keys: ["test.maxDetectionsPerImage", "roiHeads.numClasses", "roiHeads.maskHead.classifier",
                                "roiHeads.maskPooler.outputSize"]),
        ]
        buffers += section?.buffers(detector: self, classes: classes) ?? []
        return buffers
    }

    /// Parameters of the model (without alignment padding), from its layout alone; nil
    /// until `roiHeads.numClasses` is known. Needs a config whose fields are valid.
    public var parameterCount: Int? {
        guard roiHeads.numClasses != nil else { return nil }
        var layout = ParameterLayout()
        _ = MaskRCNN(config: self, layout: &layout)
        return layout.parameters.reduce(0) { $0 + $1.count }
    }

    /// Adds a problem for every buffer past the limit and for a model past the parameter limit.
    func validateSizes(_ problems: inout ConfigProblems, with section: (any DetectorConfigSection)?) {
        for buffer in largestBuffers(with: section) where buffer.elements > ConfigLimits.maxBufferElements {
            problems.add("\(buffer.name) would hold \(Self.describe(buffer.elements)), more than the \(ConfigLimits.maxBufferElements) "
                         + "floats (8 GiB) one buffer may hold; it grows with \(buffer.keys.joined(separator: ", "))")
        }
        if let parameters = parameterCount, parameters > ConfigLimits.maxParameters {
            let gib = (Double(parameters) * 4 / 1_073_741_824 * 10).rounded() / 10
            problems.add("the model would have \(parameters) parameters (\(gib) GiB of float32), more than the \(ConfigLimits.maxParameters) "
                         + "(2^28) allowed; it grows with backbone.stageWidths, fpn.channels, roiHeads.boxHead.fcDim and "
                         + "roiHeads.numClasses")
        }
    }

    /// Floats of the widest map per image: the stem's output at stride 2, each stage (and
    /// the FPN level beside it) at its stride.
    private func widestFeatureMap(side: Int) -> Int {
        var widest = Self.product(backbone.stemWidth, Self.square((side + 1) / 2))
        for (index, width) in backbone.stageWidths.enumerated() {
            let stride = 4 << index
            let channels = max(width, 2 + index >= fpn.minLevel ? fpn.channels : 0)
            widest = max(widest, Self.product(channels, Self.square((side + stride - 1) / stride)))
        }
        return widest
    }

    /// im2col columns of the largest convolution of one image: the stem's 7x7 over RGB, each
    /// stage's 3x3 (at its output stride), the FPN's and RPN's 3x3 over `fpn.channels`.
    private func convolutionColumns(side: Int) -> Int {
        var largest = Self.product(3 * 49, Self.square((side + 1) / 2))
        for (index, width) in backbone.stageWidths.enumerated() {
            let stride = 4 << index
            let previous = index == 0 ? backbone.stemWidth : backbone.stageWidths[index - 1]
            let input = backbone.block == .basic ? max(width, previous) : width / backbone.block.expansion
            largest = max(largest, Self.product(9, input, Self.square((side + stride - 1) / stride)))
        }
        let finest = 1 << fpn.minLevel
        return max(largest, Self.product(9, fpn.channels, Self.square((side + finest - 1) / finest)))
    }

    static func padded(_ value: Int, to multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }

    static func square(_ value: Int) -> Int { product(value, value) }

    /// The product in 64-bit checked arithmetic, saturated at `Int.max` (then surely too large).
    public static func product(_ factors: Int...) -> Int {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return Int.max }
            result = next
        }
        return result
    }

    /// "5368709120 floats (20.0 GiB)".
    static func describe(_ elements: Int) -> String {
        let gib = Double(elements) * 4 / 1_073_741_824
        return "\(elements) floats (\((gib * 10).rounded() / 10) GiB)"
    }
}
