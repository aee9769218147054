// Training checkpoints: weights, momentum, step, RNG state and config survive a save and
// load; a mismatched model is rejected; and a file is left for the Python --check.
import XCTest
import SharedSupport
import SharedTensor
@testable import SharedNN

final class CheckpointTests: XCTestCase {
    func makeStore() -> ParameterStore {
        var layout = ParameterLayout()
        layout.add("backbone.stem.conv.weight", shape: [4, 3, 3, 3])
        layout.add("backbone.stem.bn.scale", shape: [4], frozen: true)
        layout.add("roi_head.fc_cls.weight", shape: [5, 8])
        layout.add("roi_head.fc_cls.bias", shape: [5])
        return ParameterStore(layout: layout)
    }

    func fill(_ store: ParameterStore, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for p in store.parameters {
            for i in 0..<p.count {
                store.value(p).buffer[i] = random.nextGaussian()
                store.momentum(p).buffer[i] = store.isFrozen(p) ? 0 : random.nextGaussian()
            }
        }
    }

    func testSaveAndLoadRestoresEverything() throws {
        let store = makeStore()
        fill(store, seed: 41)
        var random = SeededRandom(seed: 99)
        _ = random.next()
        let state = TrainingState(step: 1234, random: random, configJSON: #"{"preset": "tiny", "lr": 0.0025}"#)
        let path = NSTemporaryDirectory() + "nntraining-ckpt-\(getpid()).safetensors"
        defer { unlink(path) }
        try TrainingCheckpoint.save(to: path, store: store, state: state)

        let restored = makeStore()
        let loaded = try TrainingCheckpoint.load(from: path, into: restored)
        XCTAssertEqual(loaded, state)
        for p in store.parameters {
            XCTAssertEqual(restored.value(p).toArray(), store.value(p).toArray(), p.name)
            XCTAssertEqual(restored.momentum(p).toArray(), store.momentum(p).toArray(), p.name)
        }
        let file = try SafetensorsFile.read(from: path)
        XCTAssertEqual(file["state.step"]?.dtype, .int64)
        XCTAssertNil(file["optimizer.momentum.backbone.stem.bn.scale"], "no momentum stored for frozen parameters")
        XCTAssertEqual(file.metadata["format"], "loce-checkpoint")
    }

    func testRejectsCheckpointOfAnotherModel() throws {
        let store = makeStore()
        let path = NSTemporaryDirectory() + "nntraining-other-\(getpid()).safetensors"
        defer { unlink(path) }
        try TrainingCheckpoint.save(to: path, store: store, state: TrainingState(step: 0, random: SeededRandom(seed: 1), configJSON: "{}"))
        var layout = ParameterLayout()
        layout.add("backbone.stem.conv.weight", shape: [8, 3, 3, 3])
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: path, into: ParameterStore(layout: layout))) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("shape") ?? false, "\(error)")
        }
        var other = ParameterLayout()
        other.add("neck.lateral.0.weight", shape: [2])
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: path, into: ParameterStore(layout: other))) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("missing") ?? false, "\(error)")
        }
        // A plain weights file (not a checkpoint) is refused by `load` with a hint.
        let weights = NSTemporaryDirectory() + "nntraining-weights-\(getpid()).safetensors"
        defer { unlink(weights) }
        try SafetensorsFile().write(to: weights)
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: weights, into: store)) { error in
            XCTAssertNotNil((error as? ToolError)?.hint)
        }
    }

    /// Leaves /tmp/loce-nntraining-check.safetensors for
    /// `python3 scripts/fixtures/make_training_fixtures.py --check /tmp/loce-nntraining-check.safetensors`.
    func testWriteForPythonCheck() throws {
        let store = makeStore()
        fill(store, seed: 42)
        let path = "/tmp/loce-nntraining-check.safetensors"
        try TrainingCheckpoint.save(to: path, store: store,
                                    state: TrainingState(step: 7, random: SeededRandom(seed: 5), configJSON: #"{"preset": "smoke"}"#))
        XCTAssertEqual(try TrainingCheckpoint.load(from: path, into: makeStore()).step, 7)
    }
}
