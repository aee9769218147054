// The PyTorch checkpoint reader against files written by torch.save, pickle and numpy
// (scripts/fixtures/make_torch_checkpoint_fixtures.py): every tensor's name in file order,
// dtype, shape, strides, offset and values bit for bit, shared storages, mmdetection
// metadata and optimizer state, detectron2 numpy pickles of protocols 2, 4, 5 and Python 2.
import Foundation
import XCTest
import SharedSupport
@testable import SharedNN

final class TorchCheckpointTests: XCTestCase {
    /// Asserts `tensor` is what expected.json says (layout and exact values).
    func assertTensor(_ tensor: TorchTensor?, _ record: [String: Any], _ label: String,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let name = try XCTUnwrap(record["name"] as? String)
        let tensor = try XCTUnwrap(tensor, "\(label): no tensor \(name)", file: file, line: line)
        let ints = { (key: String) in (record[key] as? [NSNumber])?.map(\.intValue) }
        XCTAssertEqual(tensor.dtype.rawValue, record["dtype"] as? String, "\(label) \(name) dtype", file: file, line: line)
        XCTAssertEqual(tensor.shape, ints("shape"), "\(label) \(name) shape", file: file, line: line)
        XCTAssertEqual(tensor.strides, ints("strides"), "\(label) \(name) strides", file: file, line: line)
        XCTAssertEqual(tensor.storageOffset, (record["offset"] as? NSNumber)?.intValue, "\(label) \(name) offset", file: file, line: line)
        let values = try XCTUnwrap(record["values"] as? [NSNumber])
        if tensor.dtype.isFloatingPoint {
            let expected = values.map { Float($0.doubleValue).bitPattern }
            XCTAssertEqual(try tensor.floats().map(\.bitPattern), expected, "\(label) \(name) values", file: file, line: line)
        } else {
            XCTAssertEqual(try tensor.int64Values(), values.map(\.int64Value), "\(label) \(name) values", file: file, line: line)
        }
    }

    func assertStateDict(_ name: String, format: TorchCheckpoint.Format, key: String?, unknownClasses: TorchCheckpoint.UnknownClasses = .refuse,
                         file: StaticString = #filePath, line: UInt = #line) throws -> TorchCheckpoint {
        let checkpoint = try TorchCheckpoint.read(path: torchFixture(name), unknownClasses: unknownClasses)
        XCTAssertEqual(checkpoint.format, format, name, file: file, line: line)
        let stateDict = try checkpoint.stateDict()
        XCTAssertEqual(stateDict.key, key, name, file: file, line: line)
        let expected = try TorchExpectations().tensors(name)
        XCTAssertEqual(stateDict.names, expected.map { $0["name"] as? String ?? "?" }, "\(name): names in file order", file: file, line: line)
        for record in expected {
            try assertTensor(stateDict[record["name"] as? String ?? ""], record, name, file: file, line: line)
        }
        return checkpoint
    }

    func testZipStateDictsMatchTorch() throws {
        for name in ["state_dict.pth", "state_dict_deflate.pth", "state_dict_zip64.pth"] {
            _ = try assertStateDict(name, format: .zip, key: nil)
        }
    }

    func testViewsShareOneStorageAndKeepTheirLayout() throws {
        let stateDict = try TorchCheckpoint.read(path: torchFixture("state_dict.pth")).stateDict()
        let weight = try XCTUnwrap(stateDict["fc.weight"]), transposed = try XCTUnwrap(stateDict["fc.weight_t"])
        let row = try XCTUnwrap(stateDict["fc.row"]), column = try XCTUnwrap(stateDict["fc.column"])
        XCTAssertTrue(weight.storage === transposed.storage && weight.storage === row.storage && weight.storage === column.storage)
        XCTAssertTrue(weight.isContiguous)
        XCTAssertFalse(transposed.isContiguous)
        XCTAssertFalse(column.isContiguous)
        XCTAssertEqual(transposed.strides, [1, 4])
        XCTAssertEqual(column.storageOffset, 2)
        // The transpose read through its strides is the weight's transpose.
        let w = try weight.floats(), t = try transposed.floats()
        for i in 0..<3 { for j in 0..<4 { XCTAssertEqual(t[j * 3 + i], w[i * 4 + j]) } }
        XCTAssertEqual(try XCTUnwrap(stateDict["scalar"]).shape, [])
        XCTAssertEqual(try stateDict.floats("scalar"), [3.5])
        XCTAssertEqual(try stateDict.int64Values("bn.num_batches_tracked"), [7])
        XCTAssertEqual(try XCTUnwrap(stateDict["empty"]).elementCount, 0)
        XCTAssertEqual(try stateDict.floats("empty"), [])
    }

    func testMMDetectionCheckpointZipAndLegacy() throws {
        for (name, format) in [("mmdet.pth", TorchCheckpoint.Format.zip), ("mmdet_legacy.pth", .legacy)] {
            let checkpoint = try assertStateDict(name, format: format, key: "state_dict")
            let meta = try XCTUnwrap(checkpoint.root["meta"]?.dict, name)
            XCTAssertEqual(meta["CLASSES"], .tuple([.string("person"), .string("bicycle"), .string("caf\u{e9}")]), name)
            XCTAssertEqual(meta["mmdet_version"], .string("2.28.2+abc1234"), name)
            XCTAssertEqual(meta["epoch"], .int(12), name)
            XCTAssertEqual(meta["iter"], .int(87912), name)
            XCTAssertEqual(meta["config"], .string("model = dict(\n    type='MaskRCNN',\n    roi_head=dict(num_classes=3))\n"), name)
            XCTAssertEqual(meta["seed"], .int(42), "\(name): a numpy int64 scalar")
            XCTAssertEqual(meta["loss_scale"], .float(0.5), "\(name): a numpy float64 scalar")
            XCTAssertEqual(meta["hash"], .largeInt([5, 0, 0, 0, 0, 0, 0, 0, 0x40]), "\(name): 2^70 + 5")
            XCTAssertEqual(meta["negative"], .int(-123_456_789_012), name)
            XCTAssertEqual(meta["lr"], .float(0.02), name)
            XCTAssertEqual(meta["hook_msgs"], .dict(PickleDict([(.string("last_ckpt"), .string("work_dirs/mask_rcnn/epoch_12.pth"))])), name)
            XCTAssertEqual(meta["flags"], .list([.bool(true), .bool(false), .none]), name)
            XCTAssertEqual(meta["blob"], .bytes([0, 255]), name)
            XCTAssertEqual(meta.keys.map(\.description).first, "\"mmdet_version\"", "\(name): dict order kept")

            // The optimizer: int keys, momentum buffers, the param group as plain values.
            let optimizer = try XCTUnwrap(checkpoint.root["optimizer"]?.dict, name)
            let state = try XCTUnwrap(optimizer["state"]?.dict, name)
            // Parameters without a gradient (bn1.bias) have no momentum: the keys are not 0..<n.
            let momentum = try TorchExpectations().tensors(name, list: "momentum")
            let keys = try momentum.map { Int64(try XCTUnwrap(Int64($0["name"] as? String ?? ""))) }
            XCTAssertEqual(state.keys, keys.map { PickleKey.int($0) }, name)
            XCTAssertEqual(keys, [0, 1, 3, 4], name)
            for (key, record) in zip(keys, momentum) {
                try assertTensor(state[.int(key)]?["momentum_buffer"]?.tensor, record, "\(name) momentum")
            }
            let group = try XCTUnwrap(optimizer["param_groups"]?.elements?.first?.dict, name)
            XCTAssertEqual(group["lr"], .float(0.02), name)
            XCTAssertEqual(group["momentum"], .float(0.9), name)
            XCTAssertEqual(group["nesterov"], .bool(false), name)
            XCTAssertEqual(group["params"], .list((0..<5).map { .int(Int64($0)) }), name)
        }
    }

    func testDetectron2PicklesOfEveryProtocol() throws {
        for name in ["d2_protocol2.pkl", "d2_protocol4.pkl", "d2_protocol5.pkl"] {
            let checkpoint = try assertStateDict(name, format: .pickle, key: "model")
            XCTAssertEqual(checkpoint.root["__author__"], .string("Detectron2 Model Zoo"), name)
            XCTAssertEqual(checkpoint.root["matching_heuristics"], .bool(true), name)
            let fortran = try XCTUnwrap(try checkpoint.stateDict()["backbone.stem.conv1.norm.weight"], name)
            XCTAssertEqual(fortran.strides, [1, 2], "\(name): a Fortran-ordered array is column-major")
        }
        let python2 = try assertStateDict("d2_py2.pkl", format: .pickle, key: "blobs")
        XCTAssertEqual(python2.root["__author__"], .string("Detectron"))
    }

    func testUnknownClassesAreRefusedByDefaultAndRecordedOnRequest() throws {
        let refusal = torchRefusal("exotic.pth") { try TorchCheckpoint.read(path: torchFixture("exotic.pth")) }
        XCTAssertTrue(refusal?.message.contains("__main__.HistoryBuffer") ?? false, "\(String(describing: refusal))")
        XCTAssertEqual(refusal?.file, torchFixture("exotic.pth"))

        let checkpoint = try assertStateDict("exotic.pth", format: .zip, key: "state_dict", unknownClasses: .record)
        guard case let .object(hub)? = checkpoint.root["message_hub"] else {
            return XCTFail("message_hub: \(String(describing: checkpoint.root["message_hub"]))")
        }
        XCTAssertEqual(hub.className, "__main__.HistoryBuffer")
        XCTAssertEqual(hub.state?["_log_history"], .list([.float(0.25), .float(0.5)]))
        XCTAssertEqual(hub.state?["max_length"], .int(3))
        // collections.Counter is plain data: a dict.
        XCTAssertEqual(checkpoint.root["scheduler"]?["milestones"], .dict(PickleDict([(.int(8), .int(1)), (.int(11), .int(2))])))

        // Recording never turns a call into anything but a record: the os.system payload stays data.
        let malicious = try TorchCheckpoint.read(path: torchFixture("malicious.pth"), unknownClasses: .record)
        guard case let .object(call)? = malicious.root["state_dict"] else { return XCTFail("\(malicious.root)") }
        XCTAssertEqual(call.className, "posix.system")
        XCTAssertEqual(call.arguments, [.string("echo pwned")])
        let stateDictRefusal = torchRefusal("stateDict of malicious.pth") { try malicious.stateDict() }
        XCTAssertTrue(stateDictRefusal?.message.contains("an object of class posix.system") ?? false, "\(String(describing: stateDictRefusal))")
    }

    func testIntegerTensorsAreNotFloatWeightsAndFloatsAreNotIntegers() throws {
        let stateDict = try TorchCheckpoint.read(path: torchFixture("mmdet.pth")).stateDict()
        let refusal = torchRefusal("floats of num_batches_tracked") { try stateDict.floats("backbone.bn1.num_batches_tracked") }
        XCTAssertEqual(refusal?.record, "tensor backbone.bn1.num_batches_tracked")
        XCTAssertTrue(refusal?.message.contains("int64 tensor [] holds integers") ?? false, "\(String(describing: refusal))")
        XCTAssertEqual(refusal?.file, torchFixture("mmdet.pth"))
        XCTAssertEqual(try stateDict.int64Values("backbone.bn1.num_batches_tracked"), [3])
        let floatRefusal = torchRefusal("int64Values of a weight") { try stateDict.int64Values("backbone.conv1.weight") }
        XCTAssertTrue(floatRefusal?.message.contains("holds floats") ?? false, "\(String(describing: floatRefusal))")
        let missing = torchRefusal("a missing name") { try stateDict.floats("no.such.weight") }
        XCTAssertTrue(missing?.message.contains("no tensor no.such.weight") ?? false)
    }

    func testStateDictLookupAndParseFromMemory() throws {
        let path = torchFixture("mmdet.pth")
        let checkpoint = try TorchCheckpoint.read(path: path)
        let refusal = torchRefusal("optimizer as a state dict") { try checkpoint.stateDict(at: "optimizer") }
        XCTAssertTrue(refusal?.message.hasPrefix("\"optimizer\" entry state is a dict of 4 entries, not a tensor") ?? false,
                      "\(String(describing: refusal))")
        XCTAssertNotNil(torchRefusal("a missing key") { try checkpoint.stateDict(at: "ema") })
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let parsed = try TorchCheckpoint.parse(bytes, name: "memory")
        XCTAssertEqual(parsed.path, "memory")
        XCTAssertEqual(try parsed.stateDict().names, try checkpoint.stateDict().names)
        XCTAssertEqual(parsed.root["meta"], checkpoint.root["meta"])
    }
}
