// Training checkpoints: weights, momentum, step, RNG state and config survive a save and
// load; a mismatched model is rejected; and a file is left for the Python --check.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
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

    /// NaN or infinite weights (or momentum) are refused at load, naming the tensor and the
    /// file; so are a negative step and a weight of an integer type.
    func testNonFiniteWeightsAndDamagedStateAreRefused() throws {
        let store = makeStore()
        fill(store, seed: 43)
        let path = NSTemporaryDirectory() + "nntraining-nonfinite-\(getpid()).safetensors"
        defer { unlink(path) }
        let state = TrainingState(step: 3, random: SeededRandom(seed: 2), configJSON: "{}")
        func refusal(_ edit: (inout SafetensorsFile) -> Void) throws -> ToolError? {
            var file = TrainingCheckpoint.file(store: store, state: state)
            edit(&file)
            try file.write(to: path)
            do {
                _ = try TrainingCheckpoint.load(from: path, into: makeStore())
                XCTFail("accepted")
            } catch let error as ToolError {
                XCTAssertEqual(error.file, path)
                XCTAssertEqual(error.exitCode, .dataError)
                XCTAssertNotNil(error.hint)
                return error
            }
            return nil
        }
        var values = store.value(store.parameters[2]).toArray()
        values[7] = .nan
        values[9] = -.infinity
        let nanWeight = try refusal { $0.set("roi_head.fc_cls.weight", SafetensorsTensor(float32: values, shape: [5, 8])) }
        XCTAssertEqual(nanWeight?.message, "tensor roi_head.fc_cls.weight holds 2 values that are not finite (first at element 7: nan)")
        let infMomentum = try refusal {
            $0.set("optimizer.momentum.roi_head.fc_cls.bias", SafetensorsTensor(float32: [0, 1, .infinity, 0, 0], shape: [5]))
        }
        XCTAssertEqual(infMomentum?.message, "tensor optimizer.momentum.roi_head.fc_cls.bias holds 1 value that is not finite "
                       + "(first at element 2: inf)")
        // F64 values beyond float32 become infinite when converted: refused the same way.
        let wide = try refusal {
            $0.set("roi_head.fc_cls.bias", SafetensorsTensor(dtype: .float64, shape: [5],
                                                             bytes: [1e300, 0, 0, 0, 0].flatMap { (value: Double) -> [UInt8] in
                                                                 withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
                                                             }))
        }
        XCTAssertTrue(wide?.message.contains("tensor roi_head.fc_cls.bias holds 1 value that is not finite") ?? false, "\(String(describing: wide))")
        let negativeStep = try refusal { $0.set("state.step", SafetensorsTensor(int64: [-5], shape: [1])) }
        XCTAssertEqual(negativeStep?.message, "state.step is -5, not a count of iterations")
        let integerWeight = try refusal { $0.set("roi_head.fc_cls.bias", SafetensorsTensor(int64: [1, 2, 3, 4, 5], shape: [5])) }
        XCTAssertEqual(integerWeight?.message, "tensor roi_head.fc_cls.bias has dtype I64, expected a float type")
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
