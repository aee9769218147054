// LOCEBoxLoss.extraRows on random FPN levels: the jittered boxes of every GT are pooled by
// RoIAlign 7x7 from the levels, at most the first 80 per class enter the queues (with their
// regression targets), and the appended rows are queue entries of their label's class.
import XCTest
@testable import SharedLongTail
@testable import SharedDetection
import SharedNN
import SharedSupport
@_spi(Kernels) import SharedTensor

final class FinetuneMemoryRowsTests: XCTestCase {
    func testJitteredFeaturesFillTheQueuesAndSampledRowsComeFromThem() throws {
        let config = try FinetuneFixture.stageTwo("smoke-loce")
        var initRandom = SeededRandom(seed: 0)
        let (_, store) = MaskRCNN.make(config: config.detector, random: &initRandom)
        let context = ModuleContext(store: store, compute: try Compute.load(threads: 1))
        let settings = TrainingSettings(config: config.detector)
        // P2..P6 of a 96 x 128 input, random values.
        var random = SeededRandom(seed: 3)
        let channels = config.fpn.channels
        let levels = [4, 8, 16, 32, 64].map { stride -> Tensor in
            let shape = [1, channels, (96 + stride - 1) / stride, (128 + stride - 1) / stride]
            return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in random.nextFloat() * 2 - 1 })
        }
        let size = ImageSize(width: 128, height: 96)
        var boxes: [Box] = []
        for i in 0..<6 {
            let left = Float(4 + 8 * i)
            boxes.append(Box(x1: left, y1: 6, x2: left + 36, y2: 60))
        }
        boxes.append(Box(x1: 60, y1: 30, x2: 120, y2: 90))
        let classes = [0, 0, 0, 0, 0, 0, 1]  // class 0: 96 jittered boxes, only 80 stored; class 1: 16
        let targets = [TrainingImageTargets(inputSize: size, boxes: boxes, classes: classes,
                                            polygons: [PolygonList](repeating: [], count: boxes.count))]
        let featureSize = channels * 49
        let hook = LOCEBoxLoss(config: config.loce, classCount: 3, featureSize: featureSize, loss: .crossEntropy(equilibrium: true),
                               memorySampling: true, random: SeededRandom(seed: 9))
        var replay = hook.random
        let extra = hook.extraRows(levels: levels, targets: targets, roiTargets: [], settings: settings, context: context)
        let memory = try XCTUnwrap(hook.memory)
        XCTAssertEqual(memory.counts, [80, 16, 0])

        // The same jitter, pooled independently.
        let jittered = jitterBoxes(boxes, imageSize: size, coder: settings.boxCoder, random: &replay)
        let pooler = RoIPooler("test.pooler", options: settings.boxPooler, finestScale: settings.finestScale)
        let (pooled, _) = pooler.forward(levels: levels, rois: RoIPooler.roiTable([jittered.map { (item: JitteredBox) in item.box }]), context: context)
        let rows = Array(pooled.buffer)
        func row(_ index: Int) -> [Float] { Array(rows[(index * featureSize)..<((index + 1) * featureSize)]) }
        let class0 = memory.slotsOldestFirst(classIndex: 0), class1 = memory.slotsOldestFirst(classIndex: 1)
        XCTAssertEqual(Array(memory.feature(classIndex: 0, slot: class0[0])), row(0))
        XCTAssertEqual(Array(memory.feature(classIndex: 0, slot: class0[79])), row(79))
        XCTAssertEqual(Array(memory.feature(classIndex: 1, slot: class1[0])), row(96))
        XCTAssertEqual(memory.target(classIndex: 1, slot: class1[15]), jittered[111].target)

        // Appended rows: at most 8 x 4, each a stored entry of its class (class 2 is empty).
        XCTAssertEqual(extra.count, hook.lastMemorySampleCount)
        XCTAssert(extra.count > 0 && extra.count <= 32)
        XCTAssertEqual(extra.features.count, extra.count * featureSize)
        for (index, label) in extra.labels.enumerated() {
            XCTAssert(label == 0 || label == 1)
            let feature = Array(extra.features[(index * featureSize)..<((index + 1) * featureSize)])
            XCTAssert(memory.slotsOldestFirst(classIndex: label).contains { Array(memory.feature(classIndex: label, slot: $0)) == feature })
        }
    }
}
