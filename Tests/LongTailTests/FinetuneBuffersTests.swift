// Stage-2 training steps with memory sampling allocate their activation buffers in the first
// step only: the LOCE hook's jitter pooler writes into a slot the hook keeps (it is built per
// pass from the pass's settings), not into a new buffer every pass.
import XCTest
@testable import SharedLongTail
@testable import SharedDetection
import SharedNN
import SharedSupport
@_spi(Kernels) import SharedTensor

final class FinetuneBuffersTests: XCTestCase {
    func testStageTwoStepsWithMemorySamplingAllocateTheirBuffersInTheFirstStepOnly() throws {
        let stageTwo = try FinetuneFixture.stageTwo("smoke-loce")
        let config = stageTwo.detector
        var random = SeededRandom(seed: 0)
        let (model, store) = MaskRCNN.make(config: config, random: &random)
        _ = model.setFrozen(stageTwo.frozenParts, store: store)  // as the fit loop does
        let context = ModuleContext(store: store, compute: try Compute.load(threads: 1))
        let settings = TrainingSettings(config: config)
        // Two 64 x 96 images with bright rectangles of classes 0, 1 and 2.
        let images = Tensor(shape: [2, 3, 64, 96], values: (0..<(2 * 3 * 64 * 96)).map { _ in random.nextFloat() - 0.5 })
        let boxes = [[Box(x1: 8, y1: 6, x2: 40, y2: 30), Box(x1: 50, y1: 20, x2: 90, y2: 58)], [Box(x1: 20, y1: 10, x2: 60, y2: 50)]]
        let classes = [[0, 1], [2]]
        for (image, list) in boxes.enumerated() {
            for (box, cls) in zip(list, classes[image]) {
                for y in Int(box.y1)..<Int(box.y2) { for x in Int(box.x1)..<Int(box.x2) { images[image, cls, y, x] = 2 } }
            }
        }
        let targets = boxes.indices.map { image in
            TrainingImageTargets(inputSize: ImageSize(width: 96, height: 64), boxes: boxes[image], classes: classes[image],
                                 polygons: boxes[image].map { b in [[b.x1, b.y1, b.x2, b.y1, b.x2, b.y2, b.x1, b.y2].map(Double.init)] })
        }
        let featureSize = config.fpn.channels * config.roiHeads.boxPooler.outputSize * config.roiHeads.boxPooler.outputSize
        let hook = LOCEBoxLoss(config: stageTwo.loce, classCount: 3, featureSize: featureSize, loss: .crossEntropy(equilibrium: true),
                               memorySampling: true, random: SeededRandom(seed: 9))
        var counts: [Int] = [], capacities: [Int] = [], rows: [Int] = []
        for _ in 0..<4 {
            store.zeroGradients()
            // The same RoI sampling every step: the same shapes apart from the memory rows.
            var sampling = SeededRandom(seed: 4)
            let losses = model.trainingStep(images, targets: targets, settings: settings, context: context, random: &sampling,
                                            boxLossExtension: hook)
            XCTAssertTrue(losses.total.isFinite)
            counts.append(context.buffers.bufferCount)
            capacities.append(context.buffers.capacity)
            rows.append(hook.lastMemorySampleCount)
        }
        print("FinetuneBuffersTests: after each stage-2 step: \(counts) buffers, \(capacities) floats, \(rows) memory rows")
        XCTAssert(rows.allSatisfy { $0 > 0 }, "memory rows in every step: \(rows)")
        XCTAssertEqual(Set(counts).count, 1, "\(counts)")
        XCTAssertEqual(Set(capacities).count, 1, "\(capacities)")
        XCTAssert(context.buffers.report.contains { $0.label == "loce.jitter_pooler.out" })
    }
}
