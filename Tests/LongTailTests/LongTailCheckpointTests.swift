// The long-tail state in a safetensors checkpoint: mean scores and feature memory survive a
// round trip through the serialised bytes exactly, and continue identically afterwards;
// missing or inconsistent tensors are refused with a message.
import XCTest
@testable import SharedLongTail
import SharedDetection
import SharedNN
import SharedSupport

final class LongTailCheckpointTests: XCTestCase {
    func testRoundTripThroughSerialisedBytesAndIdenticalContinuation() throws {
        var scores = MeanScores(foregroundClassCount: 4)
        scores.update(with: [MeanScoreObservation(classIndex: 2, value: 0.37), MeanScoreObservation(classIndex: 0, value: 0.9)])
        var memory = FeatureMemory(classCount: 4, capacity: 3, featureSize: 5)
        var random = SeededRandom(seed: 4)
        for i in 0..<10 {
            memory.push(classIndex: i % 3, feature: (0..<5).map { _ in random.nextGaussian() },
                        target: BoxDelta(dx: Float(i), dy: -1, dw: 0.5, dh: 0.25))
        }
        var file = SafetensorsFile()
        scores.save(into: &file)
        memory.save(into: &file)
        let bytes = file.serialized()
        let parsed = try bytes.withUnsafeBytes { try SafetensorsFile.parse($0) }
        var restoredScores = try MeanScores(from: parsed)
        var restoredMemory = try FeatureMemory(from: parsed)
        XCTAssertEqual(restoredScores, scores)
        XCTAssertEqual(restoredMemory, memory)
        // Same next steps give the same state.
        let next = [MeanScoreObservation(classIndex: 1, value: 0.2)]
        scores.update(with: next); restoredScores.update(with: next)
        XCTAssertEqual(restoredScores, scores)
        memory.push(classIndex: 3, feature: [1, 2, 3, 4, 5], target: .zero)
        restoredMemory.push(classIndex: 3, feature: [1, 2, 3, 4, 5], target: .zero)
        XCTAssertEqual(restoredMemory, memory)
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        XCTAssertEqual(MemorySampler().sample(memory: memory, meanScores: scores, random: &a),
                       MemorySampler().sample(memory: restoredMemory, meanScores: restoredScores, random: &b))
    }

    func testMissingAndInconsistentTensorsAreRefused() {
        XCTAssertThrowsError(try MeanScores(from: SafetensorsFile())) { error in
            XCTAssert("\(error)".contains(LongTailCheckpointName.meanScores), "\(error)")
        }
        var file = SafetensorsFile()
        FeatureMemory(classCount: 2, capacity: 3, featureSize: 1).save(into: &file)
        file.set(LongTailCheckpointName.memoryHeads, SafetensorsTensor(int64: [5, 0], shape: [2]))
        XCTAssertThrowsError(try FeatureMemory(from: file))
    }

    /// A resumed fine-tuning takes the state's shapes from the config, not from the file: a
    /// memory or score table of another shape, a non-finite feature, a negative count are
    /// refused with a message and a hint, never reach a precondition.
    func testStateThatDoesNotFitTheConfigIsRefused() throws {
        func message(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as ToolError {
                XCTAssertNotNil(error.hint, "\(error)")
                return error.message
            } catch { return "\(error)" }
        }
        var file = SafetensorsFile()
        MeanScores(foregroundClassCount: 3).save(into: &file)
        FeatureMemory(classCount: 3, capacity: 4, featureSize: 2).save(into: &file)
        XCTAssertNoThrow(try MeanScores(from: file, classCount: 3))
        XCTAssertNoThrow(try FeatureMemory(from: file, classCount: 3, capacity: 4, featureSize: 2))
        XCTAssertEqual(message { _ = try MeanScores(from: file, classCount: 5) },
                       "checkpoint tensor loce.mean_scores has 4 entries, the model's 5 classes need 6")
        XCTAssertEqual(message { _ = try FeatureMemory(from: file, classCount: 3, capacity: 80, featureSize: 2) },
                       "checkpoint tensor loce.memory.features has shape [3, 4, 2], the config's memory is [3, 80, 2] "
                       + "(classes, loce.memory.queueCapacity, feature size)")
        var nan = file
        nan.set(LongTailCheckpointName.memoryFeatures, SafetensorsTensor(float32: [0, 0, .nan] + [Float](repeating: 0, count: 21),
                                                                         shape: [3, 4, 2]))
        XCTAssertEqual(message { _ = try FeatureMemory(from: nan) },
                       "checkpoint tensor loce.memory.features holds a value that is not finite (element 2: nan)")
        var negative = file
        negative.set(LongTailCheckpointName.meanScoreCounts, SafetensorsTensor(int64: [0, -1, 0, 0], shape: [4]))
        XCTAssertEqual(message { _ = try MeanScores(from: negative) }, "checkpoint tensor loce.mean_score_counts holds -1, not a count")
    }
}
